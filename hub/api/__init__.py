"""The hub's HTTP API (FastAPI): staff endpoints behind sign-in, public kiosk endpoints, the live stream."""

from hub.api.app import create_app

__all__ = ["create_app"]
