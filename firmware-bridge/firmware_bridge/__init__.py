"""Bridges the serial line protocol of the shelf-sensor firmware to MQTT.

``protocol`` is the line protocol (the firmware's ``PROTOCOL.md``),
``serial_line`` the port that may vanish, ``bridge`` one scale's bridge,
``runner`` all the configured scales, ``cli`` the ``comptoir bridge`` command.
Imports only :mod:`comptoir`.
"""
