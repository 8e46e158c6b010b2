"""Which department sees a symptom ("my son has an ear infection" -> ENT,
pediatrics), matched over the catalog's own words.

Each medical department (an offering of area `medical`) lists `symptoms`
(phrases) and `keywords` (single words: "son" for pediatrics) in its details.
The holder's words are lowercased and stripped of punctuation and of a plural
"s"; a department scores 3 for each of its symptom phrases, names or aliases
found whole in the text, and 1 for each other word it shares with them
(common words like "my", "has", "pain" aside). Best score first; departments
scoring nothing are left out. Simple on purpose: data the district can edit,
no model to download, and the bot still asks the holder to choose.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from hub.catalog.models import Offering

MEDICAL = "medical"
PHRASE_SCORE, WORD_SCORE = 3, 1
# Words that say nothing about which department: a match on them is noise.
_STOPWORD_TEXT = (
    "a an and any are at be been bit but can could do doctor does feel feeling for from get "
    "got has have having he her him his i im in is it its lot me my need of on or our pain "
    "please she since some someone the their them they this to very want was we with "
    "would you your"
)


def find_departments(session: Session, *, text: str) -> list[dict[str, Any]]:
    words = _words(text)
    padded = f" {' '.join(words)} "
    by_code: dict[str, list[Offering]] = defaultdict(list)
    offerings = session.scalars(
        select(Offering).where(Offering.area_code == MEDICAL)
        .options(joinedload(Offering.provider)).order_by(Offering.id)
    )
    for offering in offerings:
        if not (offering.details or {}).get("withdrawn"):
            by_code[offering.code].append(offering)
    found = []
    for code, group in by_code.items():
        first = group[0]
        symptoms = _union(o.details.get("symptoms", []) for o in group)
        keywords = _union(o.details.get("keywords", []) for o in group)
        names = _union([o.name, *o.aliases] for o in group)
        score, matched = _score(padded, set(words), [*symptoms, *names, *keywords])
        if score:
            found.append({
                "code": code,
                "name": first.name,
                "aliases": _union([o.aliases for o in group]),
                "symptoms": symptoms,
                "score": score,
                "matched": matched,
                "hospitals": [
                    {"code": o.provider.code, "name": o.provider.name,
                     "name_zh": o.provider.name_zh, "address": o.provider.address}
                    for o in group
                ],
            })
    return sorted(found, key=lambda d: (-d["score"], d["name"]))


def _score(padded: str, words: set[str], terms: list[str]) -> tuple[int, list[str]]:
    score, matched, used = 0, [], set()
    for term in terms:
        term_words = _words(term)
        if term_words and f" {' '.join(term_words)} " in padded:
            score += PHRASE_SCORE
            matched.append(term)
            used.update(term_words)
    for term in terms:
        for word in set(_words(term)) & words - used - _stopwords():
            score += WORD_SCORE
            matched.append(word)
            used.add(word)
    return score, matched


def _stopwords() -> frozenset[str]:
    return frozenset(_singular(w) for w in _STOPWORD_TEXT.split())


def _words(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", text.casefold().replace("'", ""))
    return [_singular(w) for w in words]


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _union(lists: Any) -> list[str]:
    seen: dict[str, str] = {}
    for items in lists:
        for item in items:
            seen.setdefault(item.casefold(), item)
    return list(seen.values())
