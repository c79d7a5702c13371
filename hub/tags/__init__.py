"""Tag commissioning: serials allocated per GTIN without collision, EPCs encoded, labels for RFID printers."""
