"""Alerts over HTTP: the list and acknowledging (``/api/alerts``), how an alert looks in JSON (views.py, also
used by ingest for the live stream) and the queries the dashboard's inbox shares."""
