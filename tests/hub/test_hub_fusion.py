"""Fusion rules and time-based alerts, driven in-process with a manual clock (docs/fusion.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from comptoir.clock import ManualClock
from comptoir.contract import DeviceStatus, GatePassage, PosReceipt, ShelfCounts, ZoneEvent, gtin14
from hub.config import AdmissionSettings, FusionSettings
from hub.ingest import Ingest
from tests.hub.support import NUTELLA, OIL, epc, reference_database

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
G = gtin14(NUTELLA)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def ingest(tmp_path: Path, clock: ManualClock) -> Ingest:
    db = reference_database(tmp_path)
    # the hub's clock stays at T0 while the events tell hours of a day: no event here is a clock set wrong
    return Ingest(db, clock, FusionSettings(device_silent_s=60, fresh_s=600, stale_s=3600), store="test",
                  admission=AdmissionSettings(future_tolerance_s=86_400))


class Msgs:
    def __init__(self) -> None:
        self.seq: dict[str, int] = {}

    def __call__(self, model, device: str, at: datetime, **fields):
        self.seq[device] = self.seq.get(device, 0) + 1
        return model.create(device=device, seq=self.seq[device], time=at, **fields)


def zone(m: Msgs, n: int, where: str, at: datetime, event: str = "arrived", **extra) -> ZoneEvent:
    return m(ZoneEvent, "reader-1", at, event=event, epc=epc(n), gtin=G, location=where, **extra)


def after_the_exit_grace(ingest: Ingest, clock: ManualClock) -> None:
    """An unpaid exit is held ``exit_grace_s`` of hub clock for a late receipt; let that time pass."""
    assert not [k for k in ingest.alerts.open if k.startswith("unpaid_item_exit:")], "raised before the grace ended"
    clock.advance(ingest.settings.exit_grace_s)
    ingest.tick()


def test_an_event_older_than_the_items_state_does_not_override_it(ingest: Ingest) -> None:
    m = Msgs()
    ingest.handle_batch([zone(m, 1, "floor-a2", T0 + timedelta(minutes=5))])
    ingest.handle_batch([zone(m, 1, "backroom", T0)])  # delivered late: it happened before
    assert ingest.fusion.items[epc(1)].state == "floor"


def test_unknown_alias_falls_back_to_reader_antenna_then_name(ingest: Ingest) -> None:
    m = Msgs()
    ingest.handle_batch([zone(m, 1, "zone-x", T0, antenna=1), zone(m, 2, "floor-b7", T0), zone(m, 3, "attic", T0)])
    states = [ingest.fusion.items[epc(n)].state for n in (1, 2, 3)]
    assert states == ["backroom", "floor", "unknown"]


def test_departed_tag_is_unknown_unless_a_barcode_sale_explains_it(ingest: Ingest) -> None:
    m = Msgs()
    ingest.handle_batch([zone(m, 1, "floor-a2", T0), zone(m, 2, "floor-a2", T0)])
    sale = m(
        PosReceipt,
        "lane-1",
        T0 + timedelta(minutes=1),
        lane="lane-1",
        receipt_id="R1",
        total_cents=389,
        lines=[{"gtin": G, "quantity": 1, "unit_price_cents": 389}],
    )
    ingest.handle_batch([sale])
    view = ingest.fusion.sku(G, (T0 + timedelta(minutes=1)).timestamp()).as_json()
    assert view["floor"]["sold_untagged_pending"] == 1 and view["floor"]["units"] == 1
    later = T0 + timedelta(minutes=12)
    ingest.handle_batch(
        [zone(m, 1, "floor-a2", later, event="departed"), zone(m, 2, "floor-a2", later, event="departed")]
    )
    assert ingest.fusion.items[epc(1)].state == "sold" and ingest.fusion.items[epc(1)].paid
    assert ingest.fusion.items[epc(2)].state == "unknown"


def test_a_barcode_sale_too_old_does_not_excuse_an_exit(ingest: Ingest, clock: ManualClock) -> None:
    m = Msgs()
    ingest.handle_batch([zone(m, 1, "floor-a2", T0)])
    ingest.handle_batch(
        [
            m(
                PosReceipt,
                "lane-1",
                T0,
                lane="lane-1",
                receipt_id="R1",
                total_cents=389,
                lines=[{"gtin": G, "quantity": 1, "unit_price_cents": 389}],
            )
        ]
    )
    exit_at = T0 + timedelta(hours=3)  # past paid_credit_hours (2 h)
    ingest.handle_batch([m(GatePassage, "gate-1", exit_at, gate="gate-1", direction="out", epc=epc(1), gtin=G)])
    assert ingest.fusion.items[epc(1)].state == "left"
    after_the_exit_grace(ingest, clock)
    assert f"unpaid_item_exit:{epc(1)}" in ingest.alerts.open


def test_a_tag_paid_after_leaving_ends_its_exit_alert(ingest: Ingest, clock: ManualClock) -> None:
    m = Msgs()
    ingest.handle_batch([zone(m, 1, "floor-a2", T0)])
    ingest.handle_batch([m(GatePassage, "gate-1", T0, gate="gate-1", direction="out", epc=epc(1), gtin=G)])
    after_the_exit_grace(ingest, clock)  # the receipt comes later still: the alert is raised, then withdrawn
    assert f"unpaid_item_exit:{epc(1)}" in ingest.alerts.open
    ingest.handle_batch(
        [
            m(
                PosReceipt,
                "lane-1",
                T0 + timedelta(seconds=30),
                lane="lane-1",
                receipt_id="R9",
                total_cents=389,
                lines=[{"gtin": G, "quantity": 1, "unit_price_cents": 389, "epcs": [epc(1)]}],
            )
        ]
    )
    assert f"unpaid_item_exit:{epc(1)}" not in ingest.alerts.open
    assert ingest.fusion.items[epc(1)].state == "sold"


def test_camera_facings_without_tags_flag_untagged_items(ingest: Ingest, clock: ManualClock) -> None:
    m = Msgs()
    ingest.handle_batch([zone(m, 1, "backroom", T0)])
    ingest.handle_batch(
        [
            m(
                ShelfCounts,
                "cam-a2",
                T0,
                slots=[{"slot": "A2-B1-S3-04", "state": "ok", "facings": 4, "capacity": 6, "confidence": 0.9}],
            )
        ]
    )
    view = ingest.fusion.sku(G, T0.timestamp()).as_json()
    assert view["flags"] == ["untagged_or_unreadable"]
    # a tagged SKU is counted by its tags: the camera's 4 facings say what is on the shelf, and the flag tells staff
    assert view["on_hand"] == 1 and view["shelf"]["units"] == 4


def test_a_camera_over_counting_a_tagged_sku_does_not_raise_on_hand(ingest: Ingest) -> None:
    m = Msgs()
    ingest.handle_batch([zone(m, n, "floor-a2", T0) for n in (1, 2, 3)] + [zone(m, 4, "backroom", T0)])
    # the camera counts one pack twice: 4 facings for the 3 tags on the floor
    ingest.handle_batch(
        [
            m(
                ShelfCounts,
                "cam-a2",
                T0,
                slots=[{"slot": "A2-B1-S3-04", "state": "ok", "facings": 4, "capacity": 6, "confidence": 0.9}],
            )
        ]
    )
    view = ingest.fusion.sku(G, T0.timestamp()).as_json()
    assert view["shelf"]["units"] == 4
    assert view["floor"]["units"] == 3 and view["on_hand"] == 3 + 1


def test_an_untagged_sku_is_counted_by_its_shelf_sensor(ingest: Ingest) -> None:
    m = Msgs()
    ingest.handle_batch(
        [
            m(
                ShelfCounts,
                "cam-a2",
                T0,
                slots=[{"slot": "A2-B1-S3-04", "state": "ok", "facings": 5, "capacity": 6, "confidence": 0.9}],
            )
        ]
    )
    view = ingest.fusion.sku(G, T0.timestamp()).as_json()
    assert view["floor"]["units"] == 5 and view["on_hand"] == 5


def test_confidence_ages_with_the_source(ingest: Ingest) -> None:
    m = Msgs()
    ingest.handle_batch([zone(m, 1, "backroom", T0)])
    fresh = ingest.fusion.sku(G, T0.timestamp() + 60).as_json()["backroom"]
    stale = ingest.fusion.sku(G, T0.timestamp() + 3600).as_json()["backroom"]
    assert fresh["confidence"] == 0.95 and fresh["age_s"] == 60
    assert stale["confidence"] == pytest.approx(0.475, abs=0.001)


def test_an_online_device_that_goes_quiet_is_silent_then_heard_again(ingest: Ingest, clock: ManualClock) -> None:
    m = Msgs()
    # a kind without a silence rule of its own (hub.inventory.settings) is silent after device_silent_s
    ingest.handle_batch([m(DeviceStatus, "cam-a3", T0, state="online", kind="agent", software="t")])
    clock.advance(30)
    ingest.tick()
    assert "device_silent:cam-a3" not in ingest.alerts.open
    clock.advance(61)
    ingest.tick()
    alert = ingest.alerts.open["device_silent:cam-a3"]
    assert alert.text == "Device cam-a3 (agent) is online but has sent nothing for over 60 s"
    ingest.handle_batch([m(ShelfCounts, "cam-a3", clock.now(), slots=[])])
    assert "device_silent:cam-a3" not in ingest.alerts.open


def test_state_survives_a_restart_of_the_hub(tmp_path: Path, ingest: Ingest, clock: ManualClock) -> None:
    m = Msgs()
    ingest.handle_batch([zone(m, 1, "backroom", T0), zone(m, 2, "floor-a2", T0)])
    ingest.handle_batch([m(GatePassage, "gate-1", T0, gate="gate-1", direction="out", epc=epc(2), gtin=G)])
    after_the_exit_grace(ingest, clock)
    again = Ingest(ingest.db, clock, FusionSettings(), store="test")
    assert again.fusion.sku(G, T0.timestamp()).as_json()["items"]["backroom"] == 1
    assert f"unpaid_item_exit:{epc(2)}" in again.alerts.open
    assert again.devices["reader-1"].max_seq == 2
    assert gtin14(OIL) in again.fusion.products


def test_message_ids_are_kept_long_enough_then_pruned(ingest: Ingest, clock: ManualClock) -> None:
    m = Msgs()
    first = zone(m, 1, "backroom", T0)
    ingest.handle_batch([first])
    clock.advance(13 * 86400)
    ingest.tick()
    ingest.handle_batch([first])  # redelivered within the window: counted once
    assert ingest.stats.duplicates == 1
    clock.advance(2 * 86400)
    ingest.tick()
    count = ingest.db.execute("SELECT COUNT(*) FROM messages WHERE msg_id = ?", (first.msg_id,)).fetchone()[0]
    assert count == 0


def test_an_exit_stamped_before_a_later_zone_event_still_raises_its_alert(ingest: Ingest, clock: ManualClock) -> None:
    m = Msgs()
    ingest.handle_batch([zone(m, 1, "floor-a2", T0)])
    # the floor reader's "departed" (decided later) reaches the hub before the gate's passage
    ingest.handle_batch([zone(m, 1, "floor-a2", T0 + timedelta(minutes=10), event="departed")])
    exit_at = T0 + timedelta(minutes=1)
    ingest.handle_batch([m(GatePassage, "gate-1", exit_at, gate="gate-1", direction="out", epc=epc(1), gtin=G)])
    assert ingest.fusion.items[epc(1)].state == "left"
    after_the_exit_grace(ingest, clock)
    assert f"unpaid_item_exit:{epc(1)}" in ingest.alerts.open


def test_a_blocked_view_keeps_the_last_count_and_its_alert(ingest: Ingest) -> None:
    m = Msgs()
    ingest.handle_batch([zone(m, 1, "backroom", T0)])

    def view(state: str, facings: int | None, at: datetime) -> ShelfCounts:
        return m(ShelfCounts, "cam-a2", at, slots=[{"slot": "A2-B1-S3-04", "state": state, "facings": facings,
                                                    "capacity": 6, "confidence": 0.9}])

    ingest.handle_batch([view("empty", 0, T0)])
    key = f"shelf_empty_backroom_stock:{G}"
    raised = ingest.alerts.open[key].raised_at
    ingest.handle_batch([view("occluded", None, T0 + timedelta(seconds=20))])  # a shopper stands in front
    assert ingest.alerts.open[key].raised_at == raised  # still open, not cleared and raised again
    figures = ingest.fusion.sku(G, T0.timestamp() + 20).as_json()
    assert figures["shelf"]["units"] == 0 and figures["shelf"]["age_s"] == 20
    assert "shelf_view_blocked" in figures["flags"]
    ingest.handle_batch([view("ok", 3, T0 + timedelta(seconds=40))])
    assert key not in ingest.alerts.open
    assert "shelf_view_blocked" not in ingest.fusion.sku(G, T0.timestamp() + 40).as_json()["flags"]


def test_an_unpaid_tag_gone_from_the_exit_zone_left_even_without_a_gate_passage(
    ingest: Ingest, clock: ManualClock
) -> None:
    with ingest.db.conn:  # one reader covers the whole shop, the exit zone too (hub/admission.py: its zones only)
        ingest.db.execute("UPDATE zones SET reader = 'reader-1' WHERE alias = 'exit'")
    ingest.fusion.load_reference()
    m = Msgs()
    ingest.handle_batch([zone(m, 1, "floor-a2", T0), zone(m, 2, "floor-a2", T0)])
    ingest.handle_batch([m(PosReceipt, "lane-1", T0, lane="lane-1", receipt_id="R1", total_cents=389,
                           lines=[{"gtin": G, "quantity": 1, "unit_price_cents": 389, "epcs": [epc(2)]}])])
    later = T0 + timedelta(minutes=2)
    ingest.handle_batch([zone(m, 1, "exit", later), zone(m, 2, "exit", later)])
    gone = T0 + timedelta(minutes=5)
    ingest.handle_batch([zone(m, 1, "exit", gone, event="departed"), zone(m, 2, "exit", gone, event="departed")])
    assert ingest.fusion.items[epc(1)].state == "left" and ingest.fusion.items[epc(2)].state == "sold"
    after_the_exit_grace(ingest, clock)
    alert = ingest.alerts.open[f"unpaid_item_exit:{epc(1)}"]
    assert alert.text.startswith("Unpaid item left by the exit (last read in exit, no gate passage)")
    assert f"unpaid_item_exit:{epc(2)}" not in ingest.alerts.open


def test_an_exit_held_when_the_hub_stops_is_held_again_and_raised_after_its_grace(
    tmp_path: Path, ingest: Ingest, clock: ManualClock
) -> None:
    m = Msgs()
    ingest.handle_batch([zone(m, 1, "floor-a2", T0), zone(m, 2, "floor-a2", T0)])
    ingest.handle_batch([m(GatePassage, "gate-1", T0, gate="gate-1", direction="out", epc=epc(1), gtin=G)])
    clock.advance(ingest.settings.exit_grace_s)
    ingest.tick()
    ingest.handle_batch([m(GatePassage, "gate-1", T0, gate="gate-1", direction="out", epc=epc(2), gtin=G)])
    again = Ingest(ingest.db, clock, ingest.settings, store="test")  # stopped during epc(2)'s grace
    assert set(again.held_exits) == {epc(2)}  # epc(1) had its alert: not held twice
    clock.advance(again.settings.exit_grace_s - 1)
    again.tick()
    assert f"unpaid_item_exit:{epc(2)}" not in again.alerts.open
    clock.advance(1)
    again.tick()
    assert f"unpaid_item_exit:{epc(2)}" in again.alerts.open
    raised = again.db.execute("SELECT COUNT(*) FROM alerts WHERE kind = 'unpaid_item_exit'").fetchone()[0]
    assert raised == 2


def test_a_barcode_sale_arriving_during_the_grace_pays_the_item_that_left(ingest: Ingest, clock: ManualClock) -> None:
    """A till without a reader (GTIN only) whose receipt reaches the hub after the gate passage."""
    m = Msgs()
    ingest.handle_batch([zone(m, 1, "floor-a2", T0)])
    ingest.handle_batch([m(GatePassage, "gate-1", T0 + timedelta(seconds=5), gate="gate-1", direction="out",
                           epc=epc(1), gtin=G)])
    assert ingest.fusion.items[epc(1)].state == "left"
    ingest.handle_batch([m(PosReceipt, "lane-1", T0, lane="lane-1", receipt_id="R7", total_cents=389,
                           lines=[{"gtin": G, "quantity": 1, "unit_price_cents": 389}])])
    clock.advance(ingest.settings.exit_grace_s)
    ingest.tick()
    assert ingest.fusion.items[epc(1)].state == "sold"
    assert ingest.db.execute("SELECT COUNT(*) FROM alerts WHERE kind = 'unpaid_item_exit'").fetchone()[0] == 0
    assert ingest.fusion.sku(G, clock.now().timestamp()).as_json()["floor"]["sold_untagged_pending"] == 0


# Several readers see the same tag: the hub places it by the strongest claim ("Several readers ...").
BACK, DOCK, FLOOR, GATE = "reader-back", "reader-dock", "reader-floor", "gate-1"


@pytest.fixture
def rooms_of_their_readers(ingest: Ingest) -> None:
    """A reader per room: the zones table binds each zone to the reader that covers it (hub/admission.py)."""
    with ingest.db.conn:
        for alias, reader in (("backroom", BACK), ("dock", DOCK), ("floor-a2", FLOOR), ("exit", GATE)):
            ingest.db.execute("UPDATE zones SET reader = ? WHERE alias = ?", (reader, alias))
    ingest.fusion.load_reference()


def read(m: Msgs, reader: str, where: str, at: datetime, rssi: float | None, event: str = "arrived",
         n: int = 1) -> ZoneEvent:
    return m(ZoneEvent, reader, at, event=event, epc=epc(n), gtin=G, location=where, rssi=rssi)


def where(ingest: Ingest, n: int = 1) -> tuple[str | None, str]:
    item = ingest.fusion.items[epc(n)]
    return item.zone, item.state


@pytest.mark.usefixtures("rooms_of_their_readers")
def test_the_stronger_reader_holds_a_tag_and_the_weaker_ones_departure_loses_nothing(ingest: Ingest) -> None:
    m = Msgs()
    ingest.handle_batch([read(m, BACK, "backroom", T0, -45.0)])
    # the dock's reader hears the same tag through the wall, later and weaker: the backroom keeps it
    ingest.handle_batch([read(m, DOCK, "dock", T0 + timedelta(seconds=20), -53.0)])
    assert where(ingest) == ("backroom", "backroom")
    ingest.handle_batch([read(m, DOCK, "dock", T0 + timedelta(minutes=5), -53.0, event="departed")])
    assert where(ingest) == ("backroom", "backroom")
    assert ingest.fusion.sku(G, (T0 + timedelta(minutes=5)).timestamp()).as_json()["items"]["unknown"] == 0
    assert not ingest.fusion.rivals, "a departed claim is forgotten"


@pytest.mark.usefixtures("rooms_of_their_readers")
def test_a_claim_within_zone_switch_db_does_not_move_the_tag_and_a_stronger_one_does(ingest: Ingest) -> None:
    m = Msgs()
    assert ingest.settings.zone_switch_db == 3.0
    ingest.handle_batch([read(m, BACK, "backroom", T0, -50.0)])
    ingest.handle_batch([read(m, FLOOR, "floor-a2", T0 + timedelta(seconds=10), -48.0)])  # 2 dB stronger: no
    assert where(ingest) == ("backroom", "backroom")
    ingest.handle_batch([read(m, DOCK, "dock", T0 + timedelta(seconds=20), -40.0)])  # 10 dB stronger: yes
    assert where(ingest) == ("dock", "backroom")
    ingest.handle_batch([read(m, FLOOR, "floor-a2", T0 + timedelta(seconds=30), -36.0)])  # 4 dB over the dock
    assert where(ingest) == ("floor-a2", "floor")


@pytest.mark.usefixtures("rooms_of_their_readers")
def test_the_holders_departure_moves_the_tag_to_the_strongest_remaining_claim(ingest: Ingest) -> None:
    m = Msgs()
    ingest.handle_batch([read(m, BACK, "backroom", T0, -58.0),
                         read(m, FLOOR, "floor-a2", T0 + timedelta(seconds=1), -44.0),
                         read(m, DOCK, "dock", T0 + timedelta(seconds=2), -45.0)])
    assert where(ingest) == ("floor-a2", "floor")
    ingest.handle_batch([read(m, FLOOR, "floor-a2", T0 + timedelta(minutes=3), -44.0, event="departed")])
    assert where(ingest) == ("dock", "backroom")  # the dock (-45) over the backroom (-58); no unknown
    assert not ingest.alerts.open


@pytest.mark.usefixtures("rooms_of_their_readers")
def test_a_claim_without_rssi_is_the_weakest_and_between_two_the_newer_wins(ingest: Ingest) -> None:
    m = Msgs()
    ingest.handle_batch([read(m, BACK, "backroom", T0, -70.0), read(m, DOCK, "dock", T0, None)])
    assert where(ingest) == ("backroom", "backroom")
    ingest.handle_batch([read(m, BACK, "backroom", T0, None, n=2), read(m, FLOOR, "floor-a2", T0, None, n=2)])
    assert where(ingest, 2) == ("floor-a2", "floor")


@pytest.mark.usefixtures("rooms_of_their_readers")
def test_the_last_departure_keeps_todays_outcomes(ingest: Ingest, clock: ManualClock) -> None:
    m = Msgs()
    t1, t2 = T0 + timedelta(minutes=2), T0 + timedelta(minutes=4)
    # 1: unknown; 2: sold by a barcode sale; 3: left by the exit, the gate having missed the walk
    ingest.handle_batch([read(m, FLOOR, "floor-a2", T0, -45.0, n=n) for n in (1, 2, 3)]
                        + [read(m, BACK, "backroom", T0, -56.0, n=n) for n in (1, 2)]
                        + [read(m, GATE, "exit", T0 + timedelta(minutes=1), -50.0, n=3)])
    ingest.handle_batch([m(PosReceipt, "lane-1", T0, lane="lane-1", receipt_id="R1", total_cents=389,
                           lines=[{"gtin": G, "quantity": 1, "unit_price_cents": 389}])])
    ingest.handle_batch([read(m, FLOOR, "floor-a2", t1, -45.0, event="departed", n=n) for n in (1, 2, 3)])
    assert [where(ingest, n) for n in (1, 2, 3)] == [("backroom", "backroom")] * 2 + [("exit", "floor")]
    ingest.handle_batch([read(m, BACK, "backroom", t2, -56.0, event="departed", n=1)])
    assert where(ingest, 1)[1] == "unknown"
    # the credit is for a floor item leaving: move item 2 to the floor, then let it go
    ingest.handle_batch([read(m, FLOOR, "floor-a2", t2, -40.0, n=2)])
    ingest.handle_batch([read(m, BACK, "backroom", t2, -56.0, event="departed", n=2),
                         read(m, FLOOR, "floor-a2", t2 + timedelta(minutes=1), -40.0, event="departed", n=2),
                         read(m, GATE, "exit", t2, -50.0, event="departed", n=3)])
    assert where(ingest, 2)[1] == "sold" and ingest.fusion.items[epc(2)].paid
    assert where(ingest, 3)[1] == "left"
    after_the_exit_grace(ingest, clock)
    assert f"unpaid_item_exit:{epc(3)}" in ingest.alerts.open
    assert not ingest.fusion.rivals



@pytest.mark.usefixtures("rooms_of_their_readers")
def test_a_departure_that_arrives_late_still_withdraws_its_zones_claim(ingest: Ingest) -> None:
    m = Msgs()
    ingest.handle_batch([read(m, BACK, "backroom", T0, -45.0),
                         read(m, DOCK, "dock", T0 + timedelta(seconds=10), -53.0)])
    ingest.handle_batch([read(m, FLOOR, "floor-a2", T0 + timedelta(minutes=1), -35.0)])  # carried to the floor
    assert where(ingest) == ("floor-a2", "floor")
    # the dock's reader let it go before that, but its batch reaches the hub only now
    ingest.handle_batch([read(m, DOCK, "dock", T0 + timedelta(seconds=30), -53.0, event="departed")])
    ingest.handle_batch([read(m, BACK, "backroom", T0 + timedelta(minutes=2), -45.0, event="departed")])
    assert not ingest.fusion.rivals
    ingest.handle_batch([read(m, FLOOR, "floor-a2", T0 + timedelta(minutes=3), -35.0, event="departed")])
    assert where(ingest) == ("floor-a2", "unknown")  # no stale dock claim to fall back on


@pytest.mark.usefixtures("rooms_of_their_readers")
def test_claims_survive_a_restart_of_the_hub(ingest: Ingest, clock: ManualClock) -> None:
    """After a restart the hub arbitrates as before: a weak new claim does not take the tag, a departure moves it."""
    m = Msgs()
    ingest.handle_batch([read(m, BACK, "backroom", T0, -58.0),
                         read(m, FLOOR, "floor-a2", T0 + timedelta(seconds=1), -44.0),
                         read(m, DOCK, "dock", T0 + timedelta(seconds=2), -45.0)])
    assert where(ingest) == ("floor-a2", "floor")
    again = Ingest(ingest.db, clock, FusionSettings(), store="test")
    assert again.fusion.items[epc(1)].claim == ingest.fusion.items[epc(1)].claim
    assert again.fusion.rivals == ingest.fusion.rivals == {
        epc(1): {"backroom": (-58.0, (T0).timestamp(), BACK, None), "dock": (-45.0, (T0).timestamp() + 2, DOCK, None)}
    }
    # the backroom hears it again a little stronger, but not 3 dB over the floor's claim: it stays on the floor
    again.handle_batch([read(m, BACK, "backroom", T0 + timedelta(minutes=1), -43.0)])
    assert where(again) == ("floor-a2", "floor")
    # the floor's reader loses it: the strongest remaining claim (backroom, -43) holds it; nothing unknown
    again.handle_batch([read(m, FLOOR, "floor-a2", T0 + timedelta(minutes=3), -44.0, event="departed")])
    assert where(again) == ("backroom", "backroom")
    # and a third start sees the claims as they are now (the floor's gone, the backroom's holding)
    third = Ingest(ingest.db, clock, FusionSettings(), store="test")
    assert third.fusion.items[epc(1)].claim[2] == BACK  # type: ignore[index]
    assert set(third.fusion.rivals.get(epc(1), {})) == {"dock"}
