"""Recommendations: "often bought together" from receipts, consent-gated "buy again", popularity as fallback."""
