"""Real local servers the notification tests deliver to: an HTTP receiver (ntfy, webhooks) and an SMTP server.

The HTTP receiver is ``http.server`` in a thread on 127.0.0.1; it records each
request (path, headers, body) and answers what the test sets: 200, an error
status (a server down for maintenance), or nothing until released (a server
that hangs). The SMTP server is aiosmtpd's, keeping each message it accepts.
"""

from __future__ import annotations

import email
import email.policy
import ssl
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from comptoir.mosquitto import free_port


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HttpReceiver:
    """An HTTP server that records every POST and answers ``status`` (or holds the answer while ``hold`` is set)."""

    status: int = 200
    requests: list[Request] = field(default_factory=list)
    hold: bool = False  # True: each request waits for release() before it is answered (a server that hangs)
    _released: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver.hold:
                    receiver.holding.set()
                    receiver._released.wait(30)
                receiver.requests.append(Request(self.path, dict(self.headers.items()), body))
                answer = b'{"id":"ok"}' if receiver.status < 300 else b"down for maintenance"
                self.send_response(receiver.status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        self.holding = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def to(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def release(self) -> None:
        self._released.set()

    def close(self) -> None:
        self._released.set()
        self.server.shutdown()
        self.server.server_close()


class MailBox:
    """aiosmtpd on 127.0.0.1, keeping what it is given as parsed messages."""

    def __init__(self, tls: ssl.SSLContext | None = None, logins: dict[str, str] | None = None) -> None:
        """``tls``: offer STARTTLS with this context and require it; ``logins``: require one of these."""
        self.messages: list[EmailMessage] = []
        self.logged_in: list[str] = []
        box = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                box.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
                return "250 Message accepted for delivery"

        def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            good = logins is not None and logins.get(data.login.decode()) == data.password.decode()
            if good:
                box.logged_in.append(data.login.decode())
            return AuthResult(success=good)

        self.port = free_port()
        extra: dict[str, Any] = {}
        if tls is not None:
            extra.update(tls_context=tls, require_starttls=True)
        if logins is not None:
            extra.update(authenticator=check, auth_required=True)
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **extra)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()
