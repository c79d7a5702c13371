"""ZPL labels: what the printer language requires, sent to a real TCP "printer" or saved to a file."""

from __future__ import annotations

import re
import socket
import threading
from pathlib import Path

from comptoir.contract import gtin14
from comptoir.contract.fields import gtin_check_digit
from hub.tags import serials, zpl
from tests.hub.support import NUTELLA, reference_database
from tests.tags.support import cli


class RawPrinter:
    """A local TCP server that keeps every byte a client sends, as a printer's raw port 9100 does."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            while chunk := conn.recv(65536):
                self.received += chunk
        self.done.set()

    def close(self) -> None:
        self.sock.close()


def commands(fmt: str) -> list[str]:
    """A format's commands in order (``^XA``, ``^RFW,H,,,A``, ``^FD...``), one per caret."""
    return ["^" + c.strip() for c in fmt.split("^") if c.strip()]


def test_a_label_writes_the_epc_before_printing_and_carries_the_gtin_barcode() -> None:
    epc = "3034E57E0000004000000005"
    fmt = zpl.label(zpl.LabelData(epc, gtin14(NUTELLA), 5, "Pâte ^à~ tartiner"))
    cmds = commands(fmt)
    assert cmds[0] == "^XA" and cmds[-1] == "^XZ"
    names = [re.match(r"\^([A-Z0-9@]{2})", c).group(1) for c in cmds]  # type: ignore[union-attr]
    # RFID setup, then the write command with its data field, before any printed field
    rs, rf = names.index("RS"), names.index("RF")
    assert rs < rf < names.index("FO")
    assert cmds[rs] == "^RS8"  # EPC Class 1 Gen 2
    assert cmds[rf].startswith("^RFW,H") and cmds[rf + 1] == f"^FD{epc}" and cmds[rf + 2] == "^FS"
    # every field data is closed by ^FS before the next field
    for i, name in enumerate(names):
        if name == "FD":
            assert names[i + 1] == "FS", cmds[i:i + 2]
    # the EAN-13: ^BE with the GTIN-13's 12 digits; the printer adds the check digit
    be = names.index("BE")
    digits = cmds[be + 1].removeprefix("^FD")
    assert len(digits) == 12 and digits + str(gtin_check_digit(digits)) == NUTELLA
    # text people read, with ZPL's own ^ and ~ kept out of it
    assert "^FDPâte  à  tartiner" in fmt
    assert f"GTIN {gtin14(NUTELLA)}  SN 5" in fmt


def test_a_case_gtin_gets_a_gs1_128_barcode() -> None:
    fmt = zpl.label(zpl.LabelData("30340000", "13760000000014", 1, "Carton"))
    assert "^BCN,60,Y,N,N,D^FD(01)13760000000014^FS" in fmt and "^BE" not in fmt


def test_labels_go_to_the_printers_raw_port_and_the_tags_are_marked_sent(tmp_path: Path) -> None:
    db = reference_database(tmp_path)
    allocation = serials.allocate(db, NUTELLA, 3, now=1.0)
    path = str(tmp_path / "hub.sqlite")
    saved = cli("tags", "labels", str(allocation.id), "--db", path, "--out", str(tmp_path / "labels.zpl"))
    assert saved.exit_code == 0 and "(3 labels)" in saved.stdout
    text = (tmp_path / "labels.zpl").read_text()
    assert text.count("^XA") == 3 and all(f"^FD{t.epc}^FS" in text for t in allocation.tags)

    printer = RawPrinter()
    try:
        sent = cli("tags", "labels", str(allocation.id), "--db", path, "--printer", f"127.0.0.1:{printer.port}")
        assert sent.exit_code == 0, sent.stderr
        assert printer.done.wait(30)
    finally:
        printer.close()
    assert printer.received == text.encode()
    assert serials.state_counts(db, allocation.id)["sent_to_printer"] == 3


def test_a_printer_that_refuses_leaves_nothing_marked(tmp_path: Path) -> None:
    from comptoir.mosquitto import free_port

    db = reference_database(tmp_path)
    allocation = serials.allocate(db, NUTELLA, 2, now=1.0)
    out = cli("tags", "labels", str(allocation.id), "--db", str(tmp_path / "hub.sqlite"),
                   "--printer", f"127.0.0.1:{free_port()}")
    assert out.exit_code == 1 and "printer: printer 127.0.0.1:" in out.stderr and "no tag marked sent" in out.stderr
    assert serials.state_counts(db, allocation.id)["allocated"] == 2
