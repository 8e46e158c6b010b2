"""Bounds on what a form's answers may weigh, for the request bodies."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import AfterValidator

MAX_ANSWERS_CHARS = 8192


def _small(value: dict[str, Any]) -> dict[str, Any]:
    if len(json.dumps(value, ensure_ascii=False, default=str)) > MAX_ANSWERS_CHARS:
        raise ValueError(f"answers must be under {MAX_ANSWERS_CHARS} characters of JSON")
    return value


Answers = Annotated[dict[str, Any], AfterValidator(_small)]
