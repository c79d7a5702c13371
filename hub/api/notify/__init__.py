"""Notification channels and deliveries over HTTP (``/api/notify/*``): is a channel failing, and why."""
