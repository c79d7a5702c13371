"""A detection loss that weighs every training image alike, however many boxes it holds.

Why: ultralytics divides a batch's classification, box and DFL losses by
the sum of the batch's target scores, so each labelled box weighs the same.
A render of a full bay holds about a hundred facings; a real photo of the
shared set holds one large package. Trained together, the photos are then
about one per cent of the objective, and the network never learns them
(measured in ``MODEL_CARD.md``: 0.03 mAP50 on held-out photos after mixed
training, against 0.84 for the same photos trained alone).

This loss normalises each image by its own target scores instead, then
averages the images: a batch of alike images gets exactly ultralytics' loss,
and in a mixed batch a photo weighs what a render weighs. It is done by
scaling, per image, what ultralytics' own loss sums (the BCE terms and the
box weights), not by rewriting the loss, so ultralytics' assigner, box and
DFL losses stay theirs. Used by ``train(..., balance_images=True)``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from ultralytics.utils.loss import v8DetectionLoss


def image_factors(target_scores: torch.Tensor) -> torch.Tensor:
    """Per image, how much to scale its terms: ``S / (B * s_i)``, shape ``(B, 1, 1)``.

    ``s_i`` is image i's sum of target scores (at least 1, as ultralytics
    clamps the batch's), ``S`` the batch's, ``B`` the batch size. Summed
    and divided by ``S`` as ultralytics does, the terms become the mean over
    images of each image's own normalised loss.
    """
    per_image = target_scores.detach().sum(dim=(1, 2)).clamp(min=1)
    total = target_scores.detach().sum().clamp(min=1)
    return (total / (per_image * per_image.numel())).view(-1, 1, 1)


class _BalancedBCE(nn.Module):
    def __init__(self, bce: nn.Module) -> None:
        super().__init__()
        self.bce = bce

    def forward(self, logits: torch.Tensor, target_scores: torch.Tensor) -> torch.Tensor:
        return self.bce(logits, target_scores) * image_factors(target_scores).to(logits.dtype)


class _BalancedBox(nn.Module):
    """ultralytics' box loss uses the target scores only as weights: scale them per image."""

    def __init__(self, box: nn.Module) -> None:
        super().__init__()
        self.box = box

    def forward(self, pred_dist, pred_bboxes, anchor_points, target_bboxes, target_scores, target_scores_sum, *rest):  # type: ignore[no-untyped-def]
        weighted = target_scores * image_factors(target_scores).to(target_scores.dtype)
        return self.box(pred_dist, pred_bboxes, anchor_points, target_bboxes, weighted, target_scores_sum, *rest)


class ImageBalancedLoss(v8DetectionLoss):
    """ultralytics' detection loss with every image of a batch weighing alike."""

    def __init__(self, model: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(model, *args, **kwargs)
        self.bce = _BalancedBCE(self.bce)
        self.bbox_loss = _BalancedBox(self.bbox_loss)


def install() -> None:
    """Make ultralytics' detection models build this loss (for the training in this process)."""
    import ultralytics.nn.tasks as tasks

    tasks.v8DetectionLoss = ImageBalancedLoss
