"""The inventory core: what the hub knows of the shop's stock, fed by ingest, read by every slice.

One file per concern: ``states`` (item states, zone kinds), ``records``
(typed rows), ``reference`` (products, planogram, zones), ``items`` (tagged
items and their counts), ``claims`` (readers and gates), ``shelf`` (camera
and scale readings), ``sales`` (receipts and paid credits), ``store`` (the
SQL), ``view`` (one SKU's figures), ``reorder`` (the reorder point),
``history`` (stock over time) and ``fusion``, the facade ingest drives.

Nothing is imported here: ``hub.config`` imports the reorder model, and the
facade imports ``hub.config``.
"""
