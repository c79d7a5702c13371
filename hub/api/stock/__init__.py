"""The stock slice: deliveries received against purchase orders, counts, adjustments and their audit log.

The rules live in the core (hub/inventory/adjustments.py, receiving.py,
counts.py, book.py); this slice turns requests into their calls and their
refusals into HTTP answers that name the field.
"""
