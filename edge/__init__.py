"""The edge agent that runs on each Raspberry Pi or Jetson beside the shop's devices.

Imports only :mod:`comptoir`; it meets the hub on the MQTT contract alone.
"""
