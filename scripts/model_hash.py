"""Which trained model belongs to the current training data.

A model is named after a content hash of everything `rasa train` reads (bot/data,
domain.yml, config.yml), so "train only when something changed" is a file-exists
check, and a stale model can never be mistaken for the current one.

The Makefile computes the same hash in shell:
    find bot/data domain.yml config.yml -type f | LC_ALL=C sort | xargs sha256sum | sha256sum
i.e. the sha256 of sha256sum's listing ("<hex>  <path>\\n" per file, sorted by
path). Both must stay in step; tests/e2e checks that they agree.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TRAINING_INPUTS = ("bot/data", "domain.yml", "config.yml")
MODEL_PREFIX = "tcc-"


def training_files(root: Path = REPO_ROOT) -> list[str]:
    """Relative paths of every file `rasa train` reads, sorted bytewise."""
    found: list[str] = []
    for name in TRAINING_INPUTS:
        path = root / name
        if path.is_file():
            found.append(name)
        elif path.is_dir():
            found.extend(
                p.relative_to(root).as_posix() for p in path.rglob("*") if p.is_file()
            )
    return sorted(found, key=lambda p: p.encode())


def model_hash(root: Path = REPO_ROOT) -> str:
    listing = "".join(
        f"{hashlib.sha256((root / rel).read_bytes()).hexdigest()}  {rel}\n"
        for rel in training_files(root)
    )
    return hashlib.sha256(listing.encode()).hexdigest()[:12]


def model_path(root: Path = REPO_ROOT) -> Path:
    return root / "models" / f"{MODEL_PREFIX}{model_hash(root)}.tar.gz"


if __name__ == "__main__":
    print(model_path(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO_ROOT))
