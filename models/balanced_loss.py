"""A detection loss that weighs every training image alike, however many boxes it holds.

Why: ultralytics divides a batch's classification, box and DFL losses by
the sum of the batch's target scores, so each labelled box weighs the same.
A render of a full bay holds about a hundred facings; a real photo of the
shared set holds one large package. Trained together, the photos are then
about one per cent of the objective, and the network never learns them
(measured in ``MODEL_CARD.md``: 0.03 mAP50 on held-out photos after mixed
training, against 0.84 for the same photos trained alone).

This loss scales each image's positive terms (their BCE terms and box
weights) per class by ``ref / s_ci``, where ``s_ci`` is the sum of image
i's target scores of class c and ``ref`` the batch's mean product sum:
every image's products together, and every image's shoppers together, then
weigh alike. A photo's one package weighs what a render's hundred facings
weigh, and a render's shopper weighs that too. A batch of alike images
without shoppers gets exactly ultralytics' loss. It scales what ultralytics'
own loss sums rather than rewriting it: the assigner, box and DFL losses
stay theirs. Used by ``train(..., balance_images=True)``.

Two other ways were tried first; in each the shopper class died within an
epoch (mAP50 on renders 0.95 to 0.00: shoppers became large products).
Scaling every term of an image, negatives too, multiplied a photo's
background twenty-fold. Scaling products' positives only lifted a photo's
package thirty-fold above a render's shopper, the other large thing in
front of a shelf.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from ultralytics.utils.loss import v8DetectionLoss


def image_factors(target_scores: torch.Tensor) -> torch.Tensor:
    """Per image and class, how much to scale its positive terms, shape ``(B, 1, nc)``.

    ``ref / s_ci``, where ``s_ci`` is image i's sum of class c's target
    scores (at least 1, as ultralytics clamps the batch's) and ``ref`` the
    mean over images of their product sums (class 0): every image's
    products together, and every image's shoppers together, weigh ``ref``.
    Images alike in their products and without shoppers get factor 1 exactly.
    """
    detached = target_scores.detach()
    per_class = detached.sum(dim=1).clamp(min=1)  # (B, nc)
    ref = per_class[:, 0].mean()
    return (ref / per_class).unsqueeze(1)


class _BalancedBCE(nn.Module):
    def __init__(self, bce: nn.Module) -> None:
        super().__init__()
        self.bce = bce

    def forward(self, logits: torch.Tensor, target_scores: torch.Tensor) -> torch.Tensor:
        factors = image_factors(target_scores).to(logits.dtype)
        # positives only: scaling every anchor of a photo would multiply its background's weight too,
        # and the product class's loss would then drown the shopper's (it died within an epoch)
        return self.bce(logits, target_scores) * torch.where(target_scores > 0, factors, torch.ones_like(factors))


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
