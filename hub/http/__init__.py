"""The HTTP toolkit every slice of the hub's web app builds on: parameters, error shapes, sign-in and role
dependencies, rate limits, the request guards and the OpenAPI completion.

It sits at the bottom: it imports the hub's core (config, auth, ingest's type) and never a slice or the app
(``hub/app.py`` assembles the slices; tests/test_hub_layers.py holds the rule).
"""
