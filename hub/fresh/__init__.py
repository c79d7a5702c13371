"""Fresh food: lots and their dates, expiry alerts, waste, and markdowns that staff approve (docs/fresh.md)."""
