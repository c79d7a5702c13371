"""The tags API: allocate serials, encode EPCs, record writes, labels for RFID printers (manager role)."""
