"""Match what a holder typed to a catalog entry: "tongji", "Tongji hosptial",
"the central hospital" -> a provider code. Pure, so it is tested on its own.

Matching is case-insensitive, ignores punctuation and filler words, accepts
any name or alias contained in the text, and tolerates small typos. When two
entries match equally well the answer is None: asking again beats guessing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

# Words that appear in many names, so they tell entries apart poorly.
_FILLER = {
    "the", "a", "an", "at", "in", "of", "to", "please", "pls", "plz", "i", "want",
    "would", "like", "prefer", "take", "go", "with", "one", "hospital", "hosp",
    "district", "check", "up", "checkup", "package", "pkg", "plan", "exam",
}  # fmt: skip
# How close a typo must be (difflib ratio) to count.
FUZZY_CUTOFF = 0.8


@dataclass(frozen=True)
class Entry:
    code: str
    names: tuple[str, ...]


def _normalise(text: str) -> str:
    text = text.lower().replace("'s", "s").replace("’s", "s")
    return " ".join(re.sub(r"[^a-z0-9\u4e00-\u9fff]+", " ", text).split())


def _key_words(text: str) -> tuple[str, ...]:
    return tuple(word for word in _normalise(text).split() if word not in _FILLER)


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    if not needle:
        return False
    size = len(needle)
    return any(haystack[i : i + size] == needle for i in range(len(haystack) - size + 1))


def _fuzzy_contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> float:
    """Best similarity of `needle` to any equally long run of words in the text."""
    if not needle or len(haystack) < len(needle):
        return 0.0
    target = " ".join(needle)
    size = len(needle)
    return max(
        difflib.SequenceMatcher(None, " ".join(haystack[i : i + size]), target).ratio()
        for i in range(len(haystack) - size + 1)
    )


def _unique(scores: dict[str, float]) -> str | None:
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None
    return ranked[0][0]


def match_entry(text: str, entries: Iterable[Entry]) -> str | None:
    """The code of the entry `text` names, or None if none or several do."""
    entries = list(entries)
    normalised = _normalise(text)
    if not normalised:
        return None
    # 1. The code itself (button payloads, synonyms already mapped by NLU).
    for entry in entries:
        if normalised == _normalise(entry.code) or text.strip() == entry.code:
            return entry.code
    words = _key_words(text)
    # 2. A name or alias, whole, anywhere in the text; the longest wins
    #    ("Putuo People's" over a bare "Putuo").
    exact: dict[str, float] = {}
    for entry in entries:
        for name in entry.names + (entry.code.replace("-", " "),):
            needle = _key_words(name)
            if _contains(words, needle):
                exact[entry.code] = max(exact.get(entry.code, 0), len(needle))
    if exact:
        return _unique(exact)
    # 3. Small typos: the closest name, if close enough.
    fuzzy: dict[str, float] = {}
    for entry in entries:
        for name in entry.names:
            score = _fuzzy_contains(words, _key_words(name))
            if score >= FUZZY_CUTOFF:
                fuzzy[entry.code] = max(fuzzy.get(entry.code, 0.0), round(score, 3))
    return _unique(fuzzy)


def provider_entries(area: dict) -> list[Entry]:
    """Entries for the providers of a catalog area (GET catalog/{area})."""
    return [
        Entry(code=p["code"], names=tuple([p.get("name", "")] + list(p.get("aliases") or [])))
        for p in area.get("providers") or []
    ]


def offering_entries(offerings: Iterable[dict]) -> list[Entry]:
    """Entries for offerings; the same code at several providers is one entry."""
    names: dict[str, list[str]] = {}
    for offering in offerings:
        bucket = names.setdefault(offering["code"], [])
        for name in [offering.get("name", "")] + list(offering.get("aliases") or []):
            if name and name not in bucket:
                bucket.append(name)
    return [Entry(code=code, names=tuple(n)) for code, n in names.items()]
