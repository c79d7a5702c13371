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


def _factors(per_image: list[float]):  # type: ignore[no-untyped-def]
    import torch

    from models.balanced_loss import image_factors

    scores = torch.zeros(len(per_image), 10, 2)
    for i, total in enumerate(per_image):
        scores[i, 0, 0] = total
        scores[i, 1, 1] = 1.0 + i  # shoppers: never rescaled
    factors = image_factors(scores)
    assert factors[:, 0, 1].tolist() == [1.0] * len(per_image)
    return factors[:, 0, 0].tolist()


def test_alike_images_keep_their_weight() -> None:
    assert _factors([5.0, 5.0, 5.0]) == pytest.approx([1.0, 1.0, 1.0])


def test_an_image_of_few_boxes_is_lifted_to_weigh_what_one_of_many_weighs() -> None:
    few, many = _factors([1.0, 99.0])
    # summed and divided by the batch's 100 as ultralytics does: each image's own loss, halved
    assert few * 1.0 / 100 == pytest.approx(0.5)
    assert many * 99.0 / 100 == pytest.approx(0.5)


def test_an_image_without_boxes_is_scaled_as_one_of_a_single_box() -> None:
    empty, full = _factors([0.0, 9.0])
    assert empty == pytest.approx(5.0)  # its score sum is clamped to 1, as ultralytics clamps the batch's
    assert full == pytest.approx(5.0 / 9)


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
