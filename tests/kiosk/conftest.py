"""Fixtures of the kiosk tests: one demo-shop database per test session, an assistant over it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.assistant.assistant import Assistant
from hub.config import FusionSettings, KioskSettings
from hub.inventory.facts import StockReader
from hub.inventory.fusion import Fusion
from hub.store import open_database
from tests.kiosk.shop import NOW, Scenario, build_shop
from tests.kiosk.world_baskets import Receipt, world_receipts


@pytest.fixture(scope="session")
def receipts() -> list[Receipt]:
    """A simulated day of the store world with mission shoppers (a few seconds)."""
    return world_receipts(hours=24)


@pytest.fixture(scope="session")
def shop_template(tmp_path_factory: pytest.TempPathFactory, receipts: list[Receipt]) -> tuple[Path, Scenario]:
    """The demo shop's database, catalog embedded once (the slow part), copied by the tests that write."""
    path = tmp_path_factory.mktemp("shop") / "hub.sqlite"
    db, scenario = build_shop(path, receipts)
    stock = StockReader(db, Fusion(db, FusionSettings()))
    Assistant(db, stock, KioskSettings(), clock_now=lambda: NOW).ensure_index()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path, scenario


@pytest.fixture
def shop_copy(tmp_path: Path, shop_template: tuple[Path, Scenario]) -> tuple[Path, Scenario]:
    target = tmp_path / "hub.sqlite"
    shutil.copy(shop_template[0], target)
    return target, shop_template[1]


class KioskRig:
    """An assistant over a shop database, with the staff alerts it raised."""

    def __init__(self, path: Path, settings: KioskSettings | None = None) -> None:
        self.db = open_database(path)
        self.fusion = Fusion(self.db, FusionSettings())
        self.settings = settings or KioskSettings()
        self.calls: list[str] = []
        self.assistant = Assistant(
            self.db, StockReader(self.db, self.fusion), self.settings, clock_now=lambda: NOW, call_staff=self._call
        )

    def _call(self, kiosk: str) -> bool:
        self.calls.append(kiosk)
        return True


@pytest.fixture(scope="module")
def rig(shop_template: tuple[Path, Scenario], tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskRig]:
    path = tmp_path_factory.mktemp("rig") / "hub.sqlite"
    shutil.copy(shop_template[0], path)
    rig = KioskRig(path)
    yield rig
    rig.db.close()


@pytest.fixture(scope="module")
def kiosk_hub(
    broker, shop_template: tuple[Path, Scenario], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[object]:
    """``comptoir hub`` as a real process on the demo shop's database, with a staff account (marie)."""
    from tests.hub.support import HubProcess, comptoir

    process = HubProcess(tmp_path_factory.mktemp("kiosk-hub"), broker.url)
    process.write_config()
    shutil.copy(shop_template[0], process.db_path)
    done = comptoir(
        "hub", "--config", str(process.config_path), "create-user", "marie", "--role", "manager", "--password-stdin",
        stdin="croissant-42\n",
    )
    assert done.returncode == 0, done.stderr
    process.start()
    try:
        yield process
    finally:
        process.stop()
