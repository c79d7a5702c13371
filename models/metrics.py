"""Detection and counting metrics, in NumPy: mAP as COCO and ultralytics compute it, and slot-count scores.

Kept free of PyTorch so that the tests and the CI check the shipped model's
figures with the same code as ``comptoir models evaluate``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in ``a`` (n, 4) with every box in ``b`` (m, 4), both x0 y0 x1 y1."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), np.float32)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(axis=2)
    area_a = (a[:, 2:] - a[:, :2]).prod(axis=1)
    area_b = (b[:, 2:] - b[:, :2]).prod(axis=1)
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)


def match(
    pred: np.ndarray, pred_cls: np.ndarray, truth: np.ndarray, truth_cls: np.ndarray, scores: np.ndarray
) -> np.ndarray:
    """For each prediction and IoU threshold, whether it is a true positive (greedy, best score first)."""
    correct = np.zeros((len(pred), len(IOU_THRESHOLDS)), bool)
    if len(pred) == 0 or len(truth) == 0:
        return correct
    iou = box_iou(pred, truth)
    iou[pred_cls[:, None] != truth_cls[None, :]] = 0.0
    order = np.argsort(-scores, kind="stable")
    for t, thr in enumerate(IOU_THRESHOLDS):
        taken = np.zeros(len(truth), bool)
        for i in order:
            candidates = np.where(~taken & (iou[i] >= thr))[0]
            if len(candidates):
                j = candidates[np.argmax(iou[i, candidates])]
                taken[j] = True
                correct[i, t] = True
    return correct


def average_precision(recall: np.ndarray, precision: np.ndarray) -> float:
    """Area under the precision envelope, 101-point interpolation (COCO)."""
    r = np.concatenate(([0.0], recall, [1.0]))
    p = np.concatenate(([1.0], precision, [0.0]))
    p = np.flip(np.maximum.accumulate(np.flip(p)))
    x = np.linspace(0, 1, 101)
    return float(np.trapezoid(np.interp(x, r, p), x))


@dataclass
class DetectionScore:
    """Accumulates matches over images; ``result()`` gives mAP50 and mAP50-95 per class and overall."""

    classes: int
    _correct: list[np.ndarray] = field(default_factory=list)
    _scores: list[np.ndarray] = field(default_factory=list)
    _pred_cls: list[np.ndarray] = field(default_factory=list)
    _truth_cls: list[np.ndarray] = field(default_factory=list)

    def add(
        self, pred: np.ndarray, scores: np.ndarray, pred_cls: np.ndarray, truth: np.ndarray, truth_cls: np.ndarray
    ) -> None:
        self._correct.append(match(pred, pred_cls, truth, truth_cls, scores))
        self._scores.append(scores)
        self._pred_cls.append(pred_cls)
        self._truth_cls.append(truth_cls)

    def result(self) -> dict[str, float]:
        correct = np.concatenate(self._correct) if self._correct else np.zeros((0, 10), bool)
        scores = np.concatenate(self._scores) if self._scores else np.zeros(0)
        pred_cls = np.concatenate(self._pred_cls) if self._pred_cls else np.zeros(0, int)
        truth_cls = np.concatenate(self._truth_cls) if self._truth_cls else np.zeros(0, int)
        out: dict[str, float] = {}
        ap50, ap = [], []
        for c in range(self.classes):
            n_truth = int((truth_cls == c).sum())
            if n_truth == 0:
                continue
            mine = pred_cls == c
            order = np.argsort(-scores[mine], kind="stable")
            tp = correct[mine][order]
            cum_tp = np.cumsum(tp, axis=0)
            cum_fp = np.cumsum(~tp, axis=0)
            recall = cum_tp / n_truth
            precision = cum_tp / np.maximum(cum_tp + cum_fp, 1)
            aps = [average_precision(recall[:, t], precision[:, t]) if len(tp) else 0.0 for t in range(10)]
            out[f"mAP50/{c}"] = aps[0]
            out[f"mAP50-95/{c}"] = float(np.mean(aps))
            ap50.append(aps[0])
            ap.append(float(np.mean(aps)))
        out["mAP50"] = float(np.mean(ap50)) if ap50 else 0.0
        out["mAP50-95"] = float(np.mean(ap)) if ap else 0.0
        return out

    def operating_point(self, score: float) -> dict[str, float]:
        """Precision, recall and false boxes per image at IoU 0.5, keeping boxes scored ``score`` and up.

        What a shop sees at the edge's threshold, where mAP averages over
        every threshold. Matching is best score first, so the boxes above
        ``score`` are matched exactly as they would be alone.
        """
        images = len(self._scores)
        if not images:
            return {"precision": 0.0, "recall": 0.0, "false_boxes_per_image": 0.0}
        correct = np.concatenate(self._correct)[:, 0] if self._correct else np.zeros(0, bool)
        kept = np.concatenate(self._scores) >= score
        n_truth = int(sum(len(t) for t in self._truth_cls))
        tp, n_pred = int(correct[kept].sum()), int(kept.sum())
        return {
            "precision": tp / n_pred if n_pred else 0.0,
            "recall": tp / n_truth if n_truth else 0.0,
            "false_boxes_per_image": (n_pred - tp) / images,
        }


@dataclass
class CountScore:
    """Slot-level scores: exact facings, empty-slot recall and precision, occlusion handling."""

    slots: int = 0  # truth: visible slots
    exact: int = 0
    empty_truth: int = 0
    empty_found: int = 0  # truly empty and reported empty
    empty_reported: int = 0  # reported empty (any truth)
    occluded_truth: int = 0
    occluded_found: int = 0
    occluded_reported_empty: int = 0  # hidden slots wrongly called empty
    visible_reported_occluded: int = 0
    abs_error: int = 0

    def add(self, truth_facings: int, truth_occluded: bool, state: str, facings: int | None) -> None:
        if state == "empty":
            self.empty_reported += 1
        if truth_occluded:
            self.occluded_truth += 1
            self.occluded_found += state == "occluded"
            # a hidden slot called empty counts against empty precision, even if it happens to be empty
            self.occluded_reported_empty += state == "empty"
            return
        self.slots += 1
        if state == "occluded":
            self.visible_reported_occluded += 1
        else:
            self.exact += facings == truth_facings
            self.abs_error += abs((facings or 0) - truth_facings)
        if truth_facings == 0:
            self.empty_truth += 1
            self.empty_found += state == "empty"

    def result(self) -> dict[str, float]:
        return {
            "slots": self.slots,
            "facings_exact": self.exact / self.slots if self.slots else 0.0,
            "facings_mae": self.abs_error / self.slots if self.slots else 0.0,
            "empty_slots": self.empty_truth,
            "empty_recall": self.empty_found / self.empty_truth if self.empty_truth else 1.0,
            "empty_precision": self.empty_found / self.empty_reported if self.empty_reported else 1.0,
            "occluded_slots": self.occluded_truth,
            "occluded_recall": self.occluded_found / self.occluded_truth if self.occluded_truth else 1.0,
            "occluded_called_empty": self.occluded_reported_empty,
            "visible_called_occluded": self.visible_reported_occluded,
        }
