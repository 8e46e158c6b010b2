"""Answers to a catalog form, checked against the area's `fields`.

The catalog (hub/seed/catalog.yml) says what each area asks: name, type
(text, choice, date, number), choices and whether an answer is required. The
hub checks every answer here, so a new area added to the catalog is served
without code, and the bot learns which question to ask again from `field`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from hub.errors import InvalidRequest

MAX_TEXT = 1000
MAX_NUMBER = 1_000_000


def validate_answers(fields: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers in canonical form (choices as written in the catalog, dates
    as YYYY-MM-DD, numbers as numbers); 422 `invalid_answers` naming the first
    field at fault, with every problem in `errors`."""
    by_name = {f["name"]: f for f in fields}
    problems: list[dict[str, str]] = []
    clean: dict[str, Any] = {}
    for name in answers:
        if name not in by_name:
            problems.append(_problem(name, "unknown", f"This service does not ask for '{name}'."))
    for spec in fields:
        name = spec["name"]
        value = answers.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.get("required", True):
                problems.append(_problem(name, "missing", f"Please answer: {spec['question']}"))
            continue
        try:
            clean[name] = _convert(spec, value)
        except ValueError as exc:
            problems.append(_problem(name, "invalid", f"{spec['question']} {exc}"))
    if problems:
        first = problems[0]
        raise InvalidRequest(
            first["detail"], code="invalid_answers", field=first["field"], errors=problems
        )
    return clean


def _problem(field: str, problem: str, detail: str) -> dict[str, str]:
    return {"field": field, "problem": problem, "detail": detail}


def _convert(spec: dict[str, Any], value: Any) -> Any:
    kind = spec["type"]
    if kind == "choice":
        wanted = _token(str(value))
        for choice in spec.get("choices", []):
            if _token(choice) == wanted:
                return choice
        raise ValueError("Choose one of: " + ", ".join(spec.get("choices", [])) + ".")
    if kind == "date":
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValueError("Give a date as YYYY-MM-DD.") from None
    if kind == "number":
        return _number(value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("Give the answer as text.")  # noqa: TRY004 (pydantic-style message)
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"Keep the answer under {MAX_TEXT} characters.")
    return text


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError("Give a number.")  # noqa: TRY004 (reported as a bad answer)
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValueError("Give a number.") from None
    if not 0 <= number <= MAX_NUMBER:
        raise ValueError(f"Give a number from 0 to {MAX_NUMBER}.")
    return int(number) if number.is_integer() else number


def _token(text: str) -> str:
    # "In person", "in-person" and "in_person" are one choice.
    return re.sub(r"[\s_-]+", "_", text.strip().casefold())
