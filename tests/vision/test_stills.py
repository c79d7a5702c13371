"""Stills: asked from the dashboard's API, taken by a real camera agent, kept by a real hub where
``comptoir models import`` reads them; bad uploads refused whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import BrokerHandle
from tests.hub.support import wait_for
from tests.vision.camera_rig import CameraRig


@pytest.fixture(scope="module")
def rig(broker: BrokerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CameraRig]:
    running = CameraRig(Path(tmp_path_factory.mktemp("stills")), broker.host, broker.port, broker.url).start()
    try:
        yield running
    finally:
        running.stop()


def test_a_still_asked_from_the_dashboard_lands_in_the_hubs_images_folder(rig: CameraRig) -> None:
    staff = rig.staff()
    first = rig.take_still(staff)
    second = rig.take_still(staff)
    latest = staff.get(f"/api/cameras/{rig.cam}/stills/latest")
    names = sorted(p.name for p in rig.stills_dir.glob("*.jpg"))
    assert len(names) == 2 and len(set(names)) == 2  # unique names, one per still
    assert all(n.startswith(rig.cam + "-") for n in names)
    assert first["still"]["width"] == 960 and second["still"]["height"] == 540
    with Image.open(rig.stills_dir / second["still"]["name"]) as image:
        assert image.format == "JPEG" and image.size == (960, 540)
    assert latest.status_code == 200 and latest.headers["content-type"] == "image/jpeg"
    assert not list(rig.stills_dir.glob(".*"))  # no half-written file left


def test_stills_on_a_schedule(rig: CameraRig) -> None:
    before = len(list(rig.stills_dir.glob("*.jpg")))
    staff = rig.staff()
    response = staff.put(f"/api/cameras/{rig.cam}/stills/schedule", json={"every_min": 0.02})  # every 1.2 s
    assert response.status_code == 200, response.text
    wait_for(lambda: rig.alive() and len(list(rig.stills_dir.glob("*.jpg"))) >= before + 2, 60,
             "two scheduled stills")
    assert staff.put(f"/api/cameras/{rig.cam}/stills/schedule", json={"every_min": None}).status_code == 200


def test_bad_stills_are_refused_whole_and_nothing_is_kept(rig: CameraRig) -> None:
    token = rig.token()
    good = (rig.stills_dir / sorted(p.name for p in rig.stills_dir.glob("*.jpg"))[0]).read_bytes()
    kept = set(rig.stills_dir.glob("*"))
    url = f"{rig.hub.url}/api/cameras/{rig.cam}/stills"
    jpeg = {"Content-Type": "image/jpeg"}
    import httpx

    cases = {
        "truncated": (good[: len(good) // 2], 422, "not a whole JPEG"),
        "empty": (b"", 422, "empty"),
        "png": (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, 422, "not a JPEG"),
        "too big": (b"\xff\xd8" + b"\0" * 300_000, 413, "over"),
    }
    for name, (body, status, words) in cases.items():
        answer = httpx.put(url, content=body, headers={**jpeg, "Authorization": f"Bearer {token}"}, timeout=10)
        assert answer.status_code == status and words in answer.text, (name, answer.status_code, answer.text)
    refused = httpx.put(url, content=good, headers={**jpeg, "Authorization": "Bearer wrong"}, timeout=10)
    assert refused.status_code == 401 and "device token" in refused.text
    staff_token = httpx.put(url, content=good, headers=jpeg, timeout=10)
    assert staff_token.status_code == 401
    assert set(rig.stills_dir.glob("*")) == kept  # nothing half-done
    staff = rig.staff()
    assert staff.get("/api/health").status_code == 200
