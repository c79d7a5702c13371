"""The outbox file on its own: order, bound, counters that survive a reopen."""

from __future__ import annotations

from pathlib import Path

import pytest

from comptoir.link import Outbox


def test_fifo_and_ack(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db")
    box.put_many([(f"t/{i}", str(i).encode(), False) for i in range(5)])
    pending = box.peek()
    assert [p.payload for p in pending] == [b"0", b"1", b"2", b"3", b"4"]
    box.ack([pending[0].id, pending[2].id])
    assert [p.payload for p in box.peek()] == [b"1", b"3", b"4"]
    assert [p.payload for p in box.peek(after_id=pending[3].id)] == [b"4"]
    assert len(box) == 3


def test_full_outbox_drops_the_oldest_and_counts_them(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db", max_messages=10)
    assert box.put_many([("t", str(i).encode(), False) for i in range(8)]) == 0
    assert box.put_many([("t", str(i).encode(), False) for i in range(8, 13)]) == 3
    assert box.put("t", b"13") == 1
    assert [p.payload for p in box.peek()] == [str(i).encode() for i in range(4, 14)]
    assert box.dropped == 4
    box.close()
    reopened = Outbox(tmp_path / "o.db", max_messages=10)
    assert reopened.dropped == 4
    assert len(reopened) == 10


def test_counters_are_saved_with_their_messages(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db")
    box.put_many([("t", b"x", False)], counters={"seq": 41})
    assert box.next_value("session") == 1
    assert box.next_value("session") == 2
    box.close()
    box = Outbox(tmp_path / "o.db")
    assert box.counter("seq") == 41
    assert box.next_value("session") == 3


def test_bound_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_messages"):
        Outbox(tmp_path / "o.db", max_messages=0)
