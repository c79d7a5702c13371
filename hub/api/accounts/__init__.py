"""Staff sign-in (``/api/session``) and accounts (``/api/users``, manager only) over HTTP; the rules are in
hub/auth.py, shared with ``comptoir hub users``."""
