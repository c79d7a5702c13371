"""A detection loss that weighs every training image alike, however many boxes it holds.

Why: ultralytics divides a batch's classification, box and DFL losses by
the sum of the batch's target scores, so each labelled box weighs the same.
A render of a full bay holds about a hundred facings; a real photo of the
shared set holds one large package. Trained together, the photos are then
about one per cent of the objective, and the network never learns them
(measured in ``MODEL_CARD.md``: 0.03 mAP50 on held-out photos after mixed
training, against 0.84 for the same photos trained alone).

This loss normalises each image's product terms by its own product target
scores instead, then averages the images: a batch of alike images gets
exactly ultralytics' loss, and in a mixed batch a photo weighs what a render
weighs. Shopper terms keep ultralytics' weighting: balanced too, the
shopper class died within an epoch (mAP50 0.95 to 0.00 on renders), the
photos' heavy shopper-free backgrounds drowning the renders' shoppers. It is done by
scaling, per image, what ultralytics' own loss sums (the BCE terms and the
box weights), not by rewriting the loss, so ultralytics' assigner, box and
DFL losses stay theirs. Used by ``train(..., balance_images=True)``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from ultralytics.utils.loss import v8DetectionLoss

#: the classes whose terms are balanced per image: products. Shoppers are labelled in renders only;
#: balancing them too would let the photos (which never label one) outweigh the renders that teach them.
BALANCED_CLASSES = (0,)


def image_factors(target_scores: torch.Tensor, classes: tuple[int, ...] = BALANCED_CLASSES) -> torch.Tensor:
    """Per image and class, how much to scale its terms, shape ``(B, 1, nc)``.

    For a balanced class: ``mean(s) / s_i``, where ``s_i`` is image i's sum
    of that class's target scores (at least 1, as ultralytics clamps the
    batch's). Summed and divided as ultralytics does, the terms become the
    mean over images of each image's own normalised loss; images alike get
    factor 1 exactly. Other classes keep factor 1: ultralytics' weighting.
    """
    factors = torch.ones(target_scores.shape[0], 1, target_scores.shape[-1], device=target_scores.device)
    per_image = target_scores.detach()[..., list(classes)].sum(dim=(1, 2)).clamp(min=1)
    factors[:, 0, list(classes)] = (per_image.mean() / per_image).unsqueeze(-1)
    return factors


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
