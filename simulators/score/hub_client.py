"""The few staff endpoints of the hub's HTTP API the scorer reads (standard library only: no extra dependency)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

PAGE = 500  # the API's largest page


class HubError(RuntimeError):
    """The hub did not answer as its API says it does."""


class HubClient:
    """Signs in once as a staff member, then reads with the bearer token."""

    def __init__(self, base_url: str, username: str, password: str, timeout_s: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.password = password
        self.timeout_s = timeout_s
        self._token: str | None = None

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self._token:
            request.add_header("Authorization", f"Bearer {self._token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise HubError(f"{method} {path}: HTTP {exc.code}: {exc.read()[:300]!r}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise HubError(f"{method} {path}: {exc}") from None

    def sign_in(self) -> None:
        answer = self._request("POST", "/api/session", {"username": self.username, "password": self.password})
        self._token = answer.get("token") if isinstance(answer, dict) else None
        if not self._token:
            raise HubError(f"POST /api/session gave no token: {answer!r}")

    def get(self, path: str) -> Any:
        if self._token is None:
            self.sign_in()
        try:
            return self._request("GET", path)
        except HubError as exc:
            if "HTTP 401" not in str(exc):
                raise
            self.sign_in()  # the session ended (a hub restarted with a new database would do it)
            return self._request("GET", path)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        """A staff action (the demo's back office: deliveries, counts, adjustments)."""
        if self._token is None:
            self.sign_in()
        try:
            return self._request("POST", path, body)
        except HubError as exc:
            if "HTTP 401" not in str(exc):
                raise
            self.sign_in()
            return self._request("POST", path, body)

    def get_all(self, path: str) -> list[dict[str, Any]]:
        """Every row of a paged list endpoint."""
        rows: list[dict[str, Any]] = []
        sep = "&" if "?" in path else "?"
        for offset in range(0, 1_000_000, PAGE):
            page = self.get(f"{path}{sep}limit={PAGE}&offset={offset}")
            rows.extend(page)
            if len(page) < PAGE:
                return rows
        raise HubError(f"{path}: more than a million rows")

    def health(self) -> dict[str, Any]:
        return self._request("GET", "/api/health")
