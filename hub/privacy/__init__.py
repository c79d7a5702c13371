"""Personal data at the kiosk: the consent ledger, retention, and a customer's export and erasure (GDPR)."""
