"""The store hub: ingest, storage, inventory fusion, alerts, forecasts, the web app.

Imports only :mod:`comptoir`; it meets the edge on the MQTT contract alone.
"""
