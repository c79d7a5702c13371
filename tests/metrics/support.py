"""Scraping a /metrics endpoint over HTTP and reading its samples with prometheus_client's own parser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import yaml
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(port: int) -> Samples:
    response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    assert response.status_code == 200, response.text
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample ``name`` with exactly ``labels``; KeyError naming what is there when absent."""
    key = (name, tuple(sorted(labels.items())))
    if key not in samples:
        near = sorted(k for k in samples if k[0] == name)
        raise KeyError(f"no sample {name}{labels}; found {near or 'none of that name'}")
    return samples[key]


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= set(ls))


def add_to_yaml(path: Path, **sections: Any) -> None:
    config = yaml.safe_load(path.read_text())
    config.update(sections)
    path.write_text(yaml.safe_dump(config))
