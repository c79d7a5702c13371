"""docs/integrations.md cannot drift: its configuration blocks are valid sections of the hub config, and its
webhook verification snippet accepts what the hub signs and refuses a tampered body."""

from __future__ import annotations

import re
import time
from pathlib import Path

import yaml

from hub.config import HubConfig
from hub.notify.channels import signature

DOC = (Path(__file__).resolve().parents[2] / "docs" / "integrations.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.S)


def test_the_configuration_blocks_are_what_the_hub_accepts() -> None:
    # Prometheus's own scrape configuration and the edge's/bridge's sections are other programs' files
    others = {"scrape_configs", "bridge_metrics"}
    sections = [s for s in (yaml.safe_load(b) for b in blocks("yaml")) if not others & set(s)]
    config = HubConfig.model_validate({"store": "shop", **{k: v for s in sections for k, v in s.items()}})
    assert set(config.notify.channels) == {"floor", "till-system", "manager"}
    assert config.notify.rules["theft"].escalate_to == ["manager"]
    assert config.homeassistant.enabled


def test_the_verify_snippet_accepts_the_hubs_signature_and_nothing_else() -> None:
    [snippet] = [b for b in blocks("python") if "def verified" in b]
    scope: dict[str, object] = {}
    exec(snippet, scope)  # our own documentation's code
    verified = scope["verified"]
    secret, body, stamp = "s3cret-shared-with-the-receiver", b'{"step":"first"}', str(int(time.time()))
    headers = {"X-Comptoir-Timestamp": stamp, "X-Comptoir-Signature": signature(secret, stamp, body)}
    assert verified(secret, headers, body)  # type: ignore[operator]
    assert not verified(secret, headers, body.replace(b"first", b"repeat"))  # type: ignore[operator]
    old = str(int(time.time()) - 3600)
    assert not verified(secret, {**headers, "X-Comptoir-Timestamp": old,  # type: ignore[operator]
                                 "X-Comptoir-Signature": signature(secret, old, body)}, body)
