"""Copy the page screenshots of test_phone_layout.py into docs/img/, small: a 64-colour palette, optimised PNG.

Run after ``pytest tests/dashboard/test_phone_layout.py``: ``.venv/bin/python -m tests.dashboard.doc_images``.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.dashboard.support import ARTIFACTS

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = ("signin", "map", "products", "product", "reorder", "devices", "stock", "tags", "camera", "items", "item")


def main() -> None:
    (DOCS / "img").mkdir(exist_ok=True)
    for page in PAGES:
        for screen in ("tablet", "phone"):
            shot = Image.open(ARTIFACTS / f"page-{page}-{screen}-fr.png").convert("RGB")
            small = shot.quantize(colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
            target = DOCS / "img" / f"{page}-{screen}.png"
            small.save(target, optimize=True)
            print(f"{target.relative_to(DOCS.parent)} {target.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
