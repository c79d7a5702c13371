"""The staff JSON API's slices over the hub's core: inventory, alerts, devices, accounts, ingest status.

Each slice owns its router (``routes.py``), its response models and its
queries; it imports the core and the toolkit (``hub/http/``), never another
slice's router. ``hub/app.py`` assembles them with the other slices
(reorder, kiosk, privacy, dashboard and kiosk pages), which live beside
their domain code.
"""
