"""The image-balanced loss, where the train extra (PyTorch, ultralytics) is installed; CI skips it.

Checked on ultralytics' own loss with a real (untrained) shelf-detector
network: alike images give exactly ultralytics' loss, and an image of one
box weighs what an image of many boxes weighs.
"""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("ultralytics") is None, reason="the train extra (ultralytics) is not installed"
)


def _factors(products: list[float], shoppers: list[float] | None = None):  # type: ignore[no-untyped-def]
    """Factors of a batch whose image i has target scores summing to products[i] (and shoppers[i])."""
    import torch

    from models.balanced_loss import image_factors

    scores = torch.zeros(len(products), 10, 2)
    for i, total in enumerate(products):
        scores[i, 0, 0] = total
    for i, total in enumerate(shoppers or []):
        scores[i, 1, 1] = total
    factors = image_factors(scores)
    return factors[:, 0, 0].tolist(), factors[:, 0, 1].tolist()


def test_alike_images_keep_their_weight() -> None:
    assert _factors([5.0, 5.0, 5.0])[0] == pytest.approx([1.0, 1.0, 1.0])


def test_an_image_of_few_boxes_is_lifted_to_weigh_what_one_of_many_weighs() -> None:
    (few, many), _ = _factors([1.0, 99.0])
    # summed and divided by the batch's 100 as ultralytics does: each image's own loss, halved
    assert few * 1.0 / 100 == pytest.approx(0.5)
    assert many * 99.0 / 100 == pytest.approx(0.5)


def test_an_image_without_boxes_is_scaled_as_one_of_a_single_box() -> None:
    (empty, full), _ = _factors([0.0, 9.0])
    assert empty == pytest.approx(5.0)  # its score sum is clamped to 1, as ultralytics clamps the batch's
    assert full == pytest.approx(5.0 / 9)


def test_a_renders_shopper_weighs_what_a_photos_product_weighs() -> None:
    """A photo's one package and a render's one shopper: both weigh what a render's hundred facings weigh."""
    (photo, render), (_, shopper) = _factors([1.0, 99.0], [0.0, 2.0])
    assert photo * 1.0 == pytest.approx(render * 99.0) == pytest.approx(shopper * 2.0) == pytest.approx(50.0)


def test_ultralytics_loss_is_unchanged_for_a_batch_of_alike_images() -> None:
    import torch
    from ultralytics.nn.tasks import DetectionModel
    from ultralytics.utils import DEFAULT_CFG
    from ultralytics.utils.loss import v8DetectionLoss

    from models.balanced_loss import ImageBalancedLoss
    from models.train import MODEL_YAML

    torch.manual_seed(0)
    model = DetectionModel(str(MODEL_YAML), nc=2, verbose=False)
    model.args = DEFAULT_CFG
    images = torch.rand(1, 3, 128, 128).repeat(2, 1, 1, 1)
    batch = {
        "img": images,
        "batch_idx": torch.tensor([0.0, 1.0]),
        "cls": torch.tensor([[0.0], [0.0]]),
        "bboxes": torch.tensor([[0.5, 0.5, 0.4, 0.4], [0.5, 0.5, 0.4, 0.4]]),
    }
    preds = model(images)
    plain, _ = v8DetectionLoss(model)(preds, batch)
    balanced, _ = ImageBalancedLoss(model)(preds, batch)
    assert torch.allclose(plain, balanced, rtol=1e-5)

    # one image of one box, one of eight: the balanced loss differs (the many-box image no longer dominates)
    batch["batch_idx"] = torch.tensor([0.0] + [1.0] * 8)
    batch["cls"] = torch.zeros(9, 1)
    batch["bboxes"] = torch.tensor([[0.5, 0.5, 0.4, 0.4]] + [[0.1 * i + 0.1, 0.5, 0.08, 0.3] for i in range(8)])
    plain, _ = v8DetectionLoss(model)(preds, batch)
    balanced, _ = ImageBalancedLoss(model)(preds, batch)
    assert not torch.allclose(plain, balanced, rtol=1e-3)
