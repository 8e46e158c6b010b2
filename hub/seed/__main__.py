"""`python -m hub.seed check [SEED_DIR]`: validate the seed files after an edit.

Touches no database, needs no configuration; exits 1 with the problems listed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hub.seed.schema import SeedError, read_catalog, read_holders, read_providers

DEFAULT_DIR = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "check" or len(argv) > 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    seed_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    try:
        catalog = read_catalog(seed_dir)
        providers = read_providers(seed_dir, catalog=catalog)
        holders = read_holders(seed_dir)
    except SeedError as exc:
        print(exc, file=sys.stderr)
        return 1
    offerings = sum(len(s.offerings) for p in providers.providers for s in p.services.values())
    print(
        f"{seed_dir}: ok - {len(catalog.areas)} areas, {len(providers.providers)} providers "
        f"({offerings} offerings), {len(holders.stewards)} stewards, {len(holders.holders)} holders"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
