"""Products, the fused inventory per SKU and zone, and tagged items over HTTP: the staff API (routes.py) and
the public product search of the kiosk (kiosk.py), on the same queries (queries.py)."""
