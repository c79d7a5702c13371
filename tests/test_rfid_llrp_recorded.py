"""Messages recorded from a real Impinj reader decode to the values of their JSON twins.

The recordings (``tests/data/llrp/``, Apache-2.0, from EdgeX's LLRP device
service) are message bodies; framed again with the LLRP header they go
through sllurp's decoder, the one the edge agent uses. sllurp has no decoder
for GET_ROSPECS_RESPONSE and GET_ACCESSSPECS_RESPONSE (a client does not need
them during inventory): those two go through the simulator's own parser.
"""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import pytest
from sllurp.llrp import LLRPMessage

from simulators.llrp import protocol as llrp

DATA = Path(__file__).parent / "data" / "llrp" / "edgex-impinj"
TYPES = {
    "CloseConnectionResponse": llrp.CLOSE_CONNECTION_RESPONSE,
    "GetAccessSpecsResponse": llrp.GET_ACCESSSPECS_RESPONSE,
    "GetROSpecsResponse": llrp.GET_ROSPECS_RESPONSE,
    "GetReaderCapabilitiesResponse": llrp.GET_READER_CAPABILITIES_RESPONSE,
    "GetReaderConfigResponse": llrp.GET_READER_CONFIG_RESPONSE,
    "ROAccessReport": llrp.RO_ACCESS_REPORT,
    "ReaderEventNotification": llrp.READER_EVENT_NOTIFICATION,
}
PAIRS = sorted(DATA.glob("*.bytes"))


def framed(path: Path, msg_id: int = 7) -> bytes:
    body = path.read_bytes()
    kind = path.stem.rsplit("-", 1)[0]
    return struct.pack("!HII", (1 << 10) | TYPES[kind], 10 + len(body), msg_id) + body


def twin(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text())


def sllurp_decode(path: Path) -> dict:
    message = LLRPMessage(msgbytes=framed(path))
    (body,) = message.msgdict.values()
    return body


def test_every_recording_has_its_twin() -> None:
    assert len(PAIRS) == 15  # 9 reports, 1 event, 5 responses
    assert {p.stem.rsplit("-", 1)[0] for p in PAIRS} == set(TYPES)
    assert all(p.with_suffix(".json").exists() for p in PAIRS)


@pytest.mark.parametrize("path", [p for p in PAIRS if p.stem.startswith("ROAccessReport")], ids=lambda p: p.stem)
def test_ro_access_report(path: Path) -> None:
    decoded = sllurp_decode(path)["TagReportData"]
    expected = twin(path)["TagReportData"]
    assert len(decoded) == len(expected)
    for got, want in zip(decoded, expected, strict=True):
        assert got["EPC-96"].decode().upper() == base64.b64decode(want["EPC96"]["EPC"]).hex().upper()
        assert got["AntennaID"] == want["AntennaID"]
        assert got["PeakRSSI"] == want["PeakRSSI"]
        assert got["FirstSeenTimestampUTC"] == want["FirstSeenUTC"]
        assert "LastSeenTimestampUTC" not in got and want["LastSeenUTC"] is None


def test_reader_event_notification() -> None:
    path = DATA / "ReaderEventNotification-000.bytes"
    decoded = sllurp_decode(path)["ReaderEventNotificationData"]
    expected = twin(path)["ReaderEventNotificationData"]
    assert decoded["UTCTimestamp"]["Microseconds"] == expected["UTCTimestamp"]
    assert ("ConnectionCloseEvent" in decoded) == (expected["ConnectionCloseEvent"] is not None)
    assert "ConnectionAttemptEvent" not in decoded and expected["ConnectionAttemptEvent"] is None


def test_close_connection_response() -> None:
    path = DATA / "CloseConnectionResponse-000.bytes"
    assert sllurp_decode(path)["LLRPStatus"]["StatusCode"] == "Success"
    assert twin(path)["LLRPStatus"]["Status"] == 0


def test_reader_capabilities() -> None:
    path = DATA / "GetReaderCapabilitiesResponse-000.bytes"
    got, want = sllurp_decode(path), twin(path)
    gdc, wgdc = got["GeneralDeviceCapabilities"], want["GeneralDeviceCapabilities"]
    assert gdc["MaxNumberOfAntennaSupported"] == wgdc["MaxSupportedAntennas"]
    assert gdc["DeviceManufacturerName"] == wgdc["DeviceManufacturer"]
    assert gdc["ModelName"] == wgdc["Model"]
    assert gdc["ReaderFirmwareVersion"].decode() == wgdc["FirmwareVersion"]
    assert gdc["HasUTCClockCapability"] == wgdc["HasUTCClock"]
    assert gdc["CanSetAntennaProperties"] == wgdc["CanSetAntennaProperties"]
    assert [(e["Index"], e["ReceiveSensitivityValue"]) for e in gdc["ReceiveSensitivityTableEntry"]] == [
        (e["Index"], e["ReceiveSensitivity"]) for e in wgdc["ReceiveSensitivities"]
    ]
    llrpc, wllrpc = got["LLRPCapabilities"], want["LLRPCapabilities"]
    assert llrpc["MaxNumROSpec"] == wllrpc["MaxROSpecs"]
    assert llrpc["MaxNumSpecsPerROSpec"] == wllrpc["MaxSpecsPerROSpec"]
    assert llrpc["MaxNumAccessSpec"] == wllrpc["MaxAccessSpecs"]
    assert llrpc["CanReportBufferFillWarning"] == wllrpc["CanReportBufferFillWarning"]
    reg, wreg = got["RegulatoryCapabilities"], want["RegulatoryCapabilities"]
    assert reg["CountryCode"] == wreg["CountryCode"]
    assert reg["CommunicationsStandard"] == wreg["CommunicationsStandard"]
    band, wband = reg["UHFBandCapabilities"], wreg["UHFBandCapabilities"]
    assert [(e["Index"], e["TransmitPowerValue"]) for e in band["TransmitPowerLevelTableEntry"]] == [
        (e["Index"], e["TransmitPowerValue"]) for e in wband["TransmitPowerLevels"]
    ]
    modes = band["UHFC1G2RFModeTable"]["UHFC1G2RFModeTableEntry"]
    wmodes = wband["C1G2RFModes"]["UHFC1G2RFModeTableEntries"]
    assert [(m["ModeIdentifier"], m["BDR"], m["PIE"], m["MinTari"]) for m in modes] == [
        (m["ModeID"], m["BackscatterDataRate"], m["PIERatio"], m["MinTariTime"]) for m in wmodes
    ]
    c1g2, wc1g2 = got["C1G2LLRPCapabilities"], want["C1G2LLRPCapabilities"]
    assert c1g2["MaxNumSelectFiltersPerQuery"] == wc1g2["MaxSelectFiltersPerQuery"]
    assert c1g2["CanSupportBlockWrite"] == wc1g2["SupportsBlockWrite"]


def test_reader_config() -> None:
    path = DATA / "GetReaderConfigResponse-000.bytes"
    got, want = sllurp_decode(path), twin(path)
    assert got["Identification"]["ReaderID"] == base64.b64decode(want["Identification"]["ReaderID"]).hex().encode()
    assert [(a["AntennaID"], a["AntennaConnected"], a["AntennaGain"]) for a in got["AntennaProperties"]] == [
        (a["AntennaID"], a["AntennaConnected"], a["AntennaGain"]) for a in want["AntennaProperties"]
    ]
    assert [
        (a["AntennaID"], a["RFTransmitter"]["TransmitPower"], a["RFTransmitter"]["HopTableId"])
        for a in got["AntennaConfiguration"]
    ] == [
        (a["AntennaID"], a["RFTransmitter"]["TransmitPowerIndex"], a["RFTransmitter"]["HopTableID"])
        for a in want["AntennaConfigurations"]
    ]
    spec, wspec = got["ROReportSpec"], want["ROReportSpec"]
    assert spec["N"] == wspec["N"]
    assert spec["ROReportTrigger"] == "Upon_N_Tags_Or_End_Of_ROSpec" and wspec["Trigger"] == 2
    for field in ("EnableAntennaID", "EnablePeakRSSI", "EnableFirstSeenTimestamp", "EnableLastSeenTimestamp"):
        assert spec["TagReportContentSelector"][field] == wspec["TagReportContentSelector"][field]
    assert got["LLRPConfigurationStateValue"]["LLRPConfigurationStateValue"] == want["LLRPConfigurationStateValue"]
    assert got["KeepaliveSpec"]["TimeInterval"] == want["KeepAliveSpec"]["Interval"]
    assert [(g["GPIPortNum"], g["GPIConfig"], g["GPIState"]) for g in got["GPIPortCurrentState"]] == [
        (g["Port"], g["Enabled"], g["State"]) for g in want["GPIPortCurrentStates"]
    ]
    assert got["EventsAndReports"]["HoldEventsAndReportsUponReconnect"] == want["EventsAndReports"]


@pytest.mark.parametrize("name", ["GetROSpecsResponse-000", "GetAccessSpecsResponse-000"])
def test_spec_listings_through_our_parser(name: str) -> None:
    path = DATA / f"{name}.bytes"
    data = framed(path, msg_id=42)
    version, msg_type, length, msg_id = llrp.parse_header(data)
    assert (version, msg_type, length, msg_id) == (1, TYPES[name.split("-")[0]], len(data), 42)
    params = list(llrp.iter_params(data[llrp.HEADER_LEN :]))
    status = [p for p in params if p.ptype == llrp.P_LLRP_STATUS]
    assert len(status) == 1
    code, text_len = struct.unpack_from("!HH", status[0].value)
    want = twin(path)
    assert code == want["LLRPStatus"]["Status"]
    assert status[0].value[4 : 4 + text_len].decode() == want["LLRPStatus"]["ErrorDescription"]
    listed = [p for p in params if p.ptype != llrp.P_LLRP_STATUS]
    assert listed == [] and (want.get("ROSpecs") or want.get("AccessSpecs")) is None


def test_simulator_serves_the_recorded_capabilities_with_its_antenna_count() -> None:
    body = (DATA / "GetReaderCapabilitiesResponse-000.bytes").read_bytes()
    patched = llrp.patch_antenna_count(body, 11)
    message = LLRPMessage(msgbytes=llrp.frame(llrp.GET_READER_CAPABILITIES_RESPONSE, 1, patched))
    caps = message.msgdict["GET_READER_CAPABILITIES_RESPONSE"]
    assert caps["GeneralDeviceCapabilities"]["MaxNumberOfAntennaSupported"] == 11
    assert caps["GeneralDeviceCapabilities"]["ReaderFirmwareVersion"] == b"5.14.0.240"
