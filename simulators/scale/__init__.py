"""A serial shelf scale on a pseudo-terminal, speaking the firmware's line protocol v1.

``line_protocol`` encodes and checks lines (an implementation of its own:
simulators import nothing of the bridge; both are checked against the
firmware's shared test vectors), ``firmware`` behaves like the firmware,
``load`` says what lies on the shelf (a fixed load or the store world),
``pty_port`` is the unpluggable serial port, ``noise`` the line noise,
``simulator`` runs them together, ``cli`` is ``comptoir sim scale``.
Imports only :mod:`comptoir` (and :mod:`simulators.world`).
"""
