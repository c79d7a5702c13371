"""A simulated LLRP RFID reader whose tags come from the store world."""
