"""Sending one notice through one channel: ntfy, a signed webhook, e-mail. Blocking; the worker's threads call it.

Each sender either returns (the server took it) or raises
:class:`DeliveryError` with a short reason a person can act on (refused,
timed out, HTTP 403 and the server's words). Nothing here retries: the
worker does, with backoff, and records every try.
"""

from __future__ import annotations

import base64
import email.policy
import hashlib
import hmac
import json
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from hub.notify.settings import EmailChannel, NtfyChannel, WebhookChannel

if TYPE_CHECKING:
    import httpx

#: Headers of a signed webhook: the UNIX time it was signed at, and ``sha256=<hex>`` over ``<timestamp>.<body>``.
TIMESTAMP_HEADER = "X-Comptoir-Timestamp"
SIGNATURE_HEADER = "X-Comptoir-Signature"
ERROR_CHARS = 300
#: Headers folded at 998 characters (RFC 5322's limit), not 78: Python's folding of a long non-ASCII subject into
#: several encoded words drops the space between two of them ("payépassé").
MAIL_POLICY = email.policy.SMTP.clone(max_line_length=998)


class DeliveryError(Exception):
    """A channel did not take a notice; ``str()`` says why."""


@dataclass(frozen=True)
class Notice:
    """What one delivery says: a title and a text in the shop's language, and the alert's facts for machines."""

    title: str
    body: str
    step: str  # first, repeat, escalation
    kind: str
    alert: dict[str, Any] = field(default_factory=dict)
    urgent: bool = False  # an escalation: the highest ntfy priority


def send(channel: NtfyChannel | WebhookChannel | EmailChannel, notice: Notice) -> None:
    try:
        if isinstance(channel, NtfyChannel):
            _ntfy(channel, notice)
        elif isinstance(channel, WebhookChannel):
            _webhook(channel, notice)
        else:
            _email(channel, notice)
    except DeliveryError:
        raise
    except Exception as exc:  # the network, the server, a URL httpx refuses: all said on the channel, never raised
        raise DeliveryError(_said(exc)) from exc


def _said(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text[:ERROR_CHARS]


def _header(text: str) -> str:
    """An HTTP header value: ASCII as is, anything else as an RFC 2047 encoded word (ntfy decodes them)."""
    text = " ".join(text.split())
    return text if text.isascii() else f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="


def _check(response: httpx.Response) -> None:
    if response.status_code >= 300:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text.strip()[:200]}")


def _ntfy(channel: NtfyChannel, notice: Notice) -> None:
    headers = {
        "Title": _header(notice.title),
        "Priority": "5" if notice.urgent else str(channel.priority),
        "Tags": ",".join([*channel.tags, notice.kind]),
    }
    if channel.token is not None:
        headers["Authorization"] = f"Bearer {channel.token.get_secret_value()}"
    url = f"{channel.server.rstrip('/')}/{channel.topic}"
    import httpx  # here, not at the top: ~0.04 s of every hub start, for a channel most shops never use

    _check(httpx.post(url, content=notice.body.encode("utf-8"), headers=headers, timeout=channel.timeout_s))


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 with the shared secret over ``<timestamp>.<body>`` (docs/integrations.md)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _webhook(channel: WebhookChannel, notice: Notice) -> None:
    body = json.dumps({"title": notice.title, "text": notice.body, "step": notice.step, "alert": notice.alert},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    stamp = str(int(time.time()))  # real time: the receiver compares it with its own clock to refuse replays
    headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: stamp,
               SIGNATURE_HEADER: signature(channel.secret.get_secret_value(), stamp, body)}
    import httpx

    _check(httpx.post(channel.url, content=body, headers=headers, timeout=channel.timeout_s))


def _email(channel: EmailChannel, notice: Notice) -> None:
    mail = EmailMessage(policy=MAIL_POLICY)
    mail["Subject"] = notice.title
    mail["From"] = channel.sender
    mail["To"] = ", ".join(channel.to)
    mail.set_content(notice.body)
    with smtplib.SMTP(channel.host, channel.port, timeout=channel.timeout_s) as smtp:
        if channel.starttls:
            smtp.starttls(context=ssl.create_default_context(cafile=channel.ca_file))
        if channel.username:
            smtp.login(channel.username, channel.password.get_secret_value() if channel.password else "")
        refused = smtp.send_message(mail)
    if refused:
        raise DeliveryError(f"refused recipients: {', '.join(sorted(refused))}"[:ERROR_CHARS])
