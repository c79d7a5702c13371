"""The fresh slice: lots and their dates, what to check today, waste recorded and its log, the /fresh page.

The rules live in hub/fresh/ (lots.py, expiry.py, waste.py, gs1.py); this slice turns requests into their
calls and their refusals into HTTP answers that name the field.
"""
