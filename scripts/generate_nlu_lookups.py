"""Write bot/data/nlu/catalog_generated.yml: the entity synonyms and lookup
tables of the bot's NLU, from the hub's own catalog data.

The names a holder may type for a hospital, a school, a film or a service area
live once, in hub/seed/*.yml. This script loads those files into a throwaway
in-memory database with the hub's own loader and asks the hub's own
`nlu_lookups` (the body of GET /api/v1/service/nlu/lookups) for them, so the
bot learns exactly the names the hub answers to. Run it with the hub's
environment after editing the seed files:

    .venv/hub/bin/python -m scripts.generate_nlu_lookups          # write
    .venv/hub/bin/python -m scripts.generate_nlu_lookups --check  # exit 1 if stale

tests/hub/test_nlu_lookups_generated.py fails when the committed file is stale.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = REPO_ROOT / "hub" / "seed"
OUTPUT = REPO_ROOT / "bot" / "data" / "nlu" / "catalog_generated.yml"

# The hub's entity names -> the bot's (domain.yml). Entities the bot does not
# tag (venues, tutoring centres, sports centres and facilities) are matched by
# the actions against the live catalog instead.
BOT_ENTITIES = {
    "area": "area",
    "hospital": "hospital",
    "checkup_package": "package",
    "department": "department",
    "school": "school",
    "grade": "grade",
    "subject": "subject",
    "cinema": "cinema",
    "movie": "movie",
    "event": "event",
}

HEADER = """\
# GENERATED FILE: do not edit by hand.
# Written by `.venv/hub/bin/python -m scripts.generate_nlu_lookups` from the hub's
# catalog (hub/seed/catalog.yml, hub/seed/providers.yml) through the hub's own
# loader and NLU lookups (GET /api/v1/service/nlu/lookups). Edit the seed files
# and run the script again; tests/hub/test_nlu_lookups_generated.py fails when
# this file is out of date.
"""


def hub_lookups(seed_dir: Path = SEED_DIR) -> dict[str, list[dict[str, Any]]]:
    """What GET /api/v1/service/nlu/lookups answers for these seed files."""
    # Imported here: the hub package is only needed when the script runs.
    from sqlalchemy.orm import Session

    import hub.models  # noqa: F401  (registers every table)
    from hub.catalog.lookups import nlu_lookups
    from hub.db import Base, make_engine
    from hub.seed.loader import load_catalog, load_providers

    engine = make_engine("sqlite://")
    try:
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            load_catalog(session, seed_dir=seed_dir)
            load_providers(session, seed_dir=seed_dir)
            session.flush()
            return nlu_lookups(session)
    finally:
        engine.dispose()


def _quote(text: str) -> str:
    # Names are plain words; quote only what YAML would misread.
    if text[:1] in "!&*[]{}|>'\"%@`#,?:-" or ": " in text or " #" in text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def render(lookups: dict[str, list[dict[str, Any]]]) -> str:
    # A text naming two different values is no synonym at all: the mapper
    # would pick one silently. Such texts are left out and listed.
    values_of: dict[str, set[str]] = defaultdict(set)
    for hub_entity, bot_entity in BOT_ENTITIES.items():
        for value in lookups.get(hub_entity, []):
            for name in value["synonyms"]:
                values_of[name.casefold()].add(value["value"])
    ambiguous = sorted(name for name, values in values_of.items() if len(values) > 1)

    lines = [HEADER]
    if ambiguous:
        lines.append("# Left out, because each names more than one value: " + ", ".join(ambiguous))
    lines += ['version: "3.1"', "", "nlu:"]
    written: set[str] = set()
    for hub_entity, bot_entity in BOT_ENTITIES.items():
        values = lookups.get(hub_entity, [])
        if not values:
            continue
        lines.append(f"  # -- {bot_entity} --")
        for value in values:
            names = [
                n for n in value["synonyms"]
                if n.casefold() not in ambiguous and n.casefold() != value["value"].casefold()
                and n.casefold() not in written
            ]
            if not names:
                continue
            written.update(n.casefold() for n in names)
            lines.append(f"  - synonym: {_quote(value['value'])}")
            lines.append("    examples: |")
            lines += [f"      - {_quote(n)}" for n in names]
        lookup = sorted(
            {n for v in values for n in v["synonyms"] if n.isascii()}, key=str.casefold
        )
        if lookup:
            lines.append(f"  - lookup: {bot_entity}")
            lines.append("    examples: |")
            lines += [f"      - {_quote(n)}" for n in lookup]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render(hub_lookups())
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(REPO_ROOT)} is out of date: run "
                  "`.venv/hub/bin/python -m scripts.generate_nlu_lookups`", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
