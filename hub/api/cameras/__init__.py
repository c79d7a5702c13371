"""Cameras set from the dashboard: slots drawn on a still, stills, model rollout (``/api/cameras``, ``/cameras``)."""
