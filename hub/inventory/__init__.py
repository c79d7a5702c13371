"""The inventory core: what the hub knows of the shop's stock, fed by ingest, read by every slice.

One file per concern: ``states`` (item states, zone kinds), ``records``
(typed rows), ``reference`` (products, planogram, zones), ``items`` (tagged
items and their counts), ``claims`` (readers and gates), ``shelf`` (camera
and scale readings), ``sales`` (receipts and paid credits), ``store`` (the
SQL), ``view`` (one SKU's figures), ``reorder`` (the reorder point),
``history`` (stock over time), ``settings`` (the ``fusion:`` parameters)
and ``fusion``, the facade ingest drives. The core imports nothing of the
hub but ``hub.timeutil``; ``hub.config`` imports its settings.

Nothing is imported here, so that ``hub.config`` importing the settings
does not load the whole core.
"""
