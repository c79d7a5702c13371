"""Write the store world's receipts as a basket CSV, for ``comptoir recommend evaluate``.

    python bench/kiosk_baskets.py [--hours 48] [--seed 5] [--anonymous] OUT.csv
    comptoir recommend evaluate --baskets OUT.csv

The receipts come from tests/kiosk/world_baskets.py: the store world with
mission shoppers (and its own random shoppers), see docs/kiosk.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.kiosk.world_baskets import world_receipts, write_csv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--hours", type=float, default=48.0)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--anonymous", action="store_true", help="leave out customer_id and ts")
    args = parser.parse_args()
    receipts = world_receipts(hours=args.hours, seed=args.seed)
    write_csv(receipts, args.out, with_customers=not args.anonymous)
    print(f"{len(receipts)} receipts written to {args.out}")


if __name__ == "__main__":
    main()
