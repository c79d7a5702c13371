"""``comptoir demo``: the whole simulated shop, every device a process or a server as in a real shop."""
