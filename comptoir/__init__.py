"""Comptoir's shared core: the MQTT contract, the link, the clock and config.

Every other package of the project (edge, hub, simulators, firmware_bridge)
imports this one; this one imports none of them.
"""

__version__ = "0.1.0"
