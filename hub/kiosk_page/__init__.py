"""The customer kiosk's pages: ``/kiosk`` (the assistant, with its AI notice) and ``/kiosk/privacy``."""
