"""Bridges the serial line protocol of the shelf-sensor firmware to MQTT.

Imports only :mod:`comptoir`.
"""
