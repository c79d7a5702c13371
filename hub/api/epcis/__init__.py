"""The EPCIS 2.0 query API for partners (hub/epcis/ builds the documents)."""
