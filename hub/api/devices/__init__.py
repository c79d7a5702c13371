"""Devices over HTTP (``/api/devices``) and how a device looks in JSON (views.py, also used by ingest for the
live stream)."""
