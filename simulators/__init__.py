"""A deterministic store world and device simulators that speak the real protocols.

Imports only :mod:`comptoir`.
"""
