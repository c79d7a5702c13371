"""Ingest's state over HTTP: ``/api/health`` (public) and the dead letters (staff)."""
