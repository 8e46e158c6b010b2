"""The shape of the seed files, checked strictly before anything is loaded.

A district administrator edits these YAML files by hand, so every mistake (a
typo in an area code, a duplicated provider, an unquoted time that YAML reads
as a number) must stop the load with a message that names the file and the
entry, rather than surface later as a half-seeded database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

CATALOG_FILE = "catalog.yml"
PROVIDERS_FILE = "providers.yml"
HOLDERS_FILE = "holders.yml"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLOT_KINDS = frozenset({"appointment", "ticket"})  # areas booked against slots
FORM_KINDS = frozenset({"application", "request"})  # areas served by a form
GOLDEN_SERIAL_MAX = 103  # the first 103 cards carry a golden serial (as Holder.golden)


class SeedError(ValueError):
    """A seed file is missing, is not YAML, or does not match its schema."""


# Pydantic reports ValueError as a validation error but lets TypeError escape.
def _clock(value: object) -> object:
    # YAML 1.1 reads an unquoted 19:00 as the number 1140 (base 60).
    if not isinstance(value, str):
        raise ValueError(f'write times in quotes, like "07:30" (got {value!r})')  # noqa: TRY004
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError(f'a time must be "HH:MM" on the 24-hour clock (got {value!r})')
    return value


def _quoted_digits(value: object) -> object:
    # Unquoted digits lose leading zeros (and YAML reads 012345 as octal).
    if not isinstance(value, str):
        raise ValueError(f'write it in quotes, like "246810" (got {value!r})')  # noqa: TRY004
    return value


def _as_list(value: object) -> object:
    # `schedule:` may be one mapping or a list of them.
    return [value] if isinstance(value, dict) else value


def _unique(items: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item in seen:
            raise ValueError(f"duplicate {what} {item!r}")
        seen.add(item)


Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Clock = Annotated[str, BeforeValidator(_clock)]


def _deadline(value: object) -> str:
    try:
        moment = datetime.strptime(str(value).strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise ValueError(f'a deadline is "YYYY-MM-DD HH:MM" (local time), not {value!r}') from None
    return moment.strftime("%Y-%m-%d %H:%M")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class _Entry(BaseModel):
    # A misspelt key is an error, not a silently ignored line.
    model_config = ConfigDict(extra="forbid", frozen=True)


# ------------------------------------------------------------------ catalog


class FormField(_Entry):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    question: Text
    question_zh: Text
    type: Literal["text", "choice", "date", "number"]
    choices: list[Text] = []
    required: bool = True

    @model_validator(mode="after")
    def _choices_only_for_choice(self) -> FormField:
        if self.type == "choice" and not self.choices:
            raise ValueError(f"field {self.name!r} has type choice but no choices")
        if self.type != "choice" and self.choices:
            raise ValueError(f"field {self.name!r} has choices but type {self.type}")
        _unique(self.choices, f"choice in field {self.name!r}:")
        return self


class Reminder(_Entry):
    """Either `days_before` at a local clock time, or `minutes_before` the start.

    With `deadline` ("YYYY-MM-DD HH:MM", local) the rule is about that date,
    not an appointment: an application in the area gets a reminder
    `days_before` it; `name` says what the deadline is."""

    id: Code
    days_before: Annotated[int, Field(ge=0, le=60)] | None = None
    at: Clock | None = None
    minutes_before: Annotated[int, Field(gt=0, le=7 * 24 * 60)] | None = None
    deadline: Annotated[str, BeforeValidator(_deadline)] | None = None
    name: str | None = None
    note: str = ""

    @model_validator(mode="after")
    def _one_rule(self) -> Reminder:
        if self.deadline is not None and (self.days_before is None or not self.name):
            raise ValueError(f"reminder {self.id!r}: a deadline needs days_before, at and a name")
        if (self.days_before is None) == (self.minutes_before is None):
            raise ValueError(f"reminder {self.id!r} needs exactly one of days_before or minutes_before")
        if self.days_before is not None and self.at is None:
            raise ValueError(f'reminder {self.id!r} has days_before but no at: "HH:MM"')
        if self.minutes_before is not None and self.at is not None:
            raise ValueError(f"reminder {self.id!r}: at only goes with days_before")
        return self


class AreaSeed(_Entry):
    code: Code
    number: Annotated[int, Field(ge=1, le=99)]
    name: Text
    name_zh: Text
    # Other words holders use for the area; the bot learns them as synonyms.
    aliases: list[Text] = []
    kind: Literal["appointment", "ticket", "application", "request"]
    department: Text
    summary: Text
    description: Text
    eligibility: Text
    what_to_bring: list[Text]
    fields: list[FormField] = []
    reminder_policy: list[Reminder] = []
    steward_handled: bool = False
    active: bool = True

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> AreaSeed:
        if self.kind in FORM_KINDS and not self.fields:
            raise ValueError(f"area {self.code!r} is a {self.kind} and needs fields")
        _unique([f.name for f in self.fields], "field name")
        _unique([r.id for r in self.reminder_policy], "reminder id")
        return self


class CatalogFile(_Entry):
    areas: Annotated[list[AreaSeed], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_codes(self) -> CatalogFile:
        _unique([a.code for a in self.areas], "area code")
        _unique([str(a.number) for a in self.areas], "area number")
        # Area names and aliases become the bot's synonyms: one word, one area.
        owner: dict[str, str] = {}
        for a in self.areas:
            for alias in {n.casefold() for n in [a.name, *a.aliases]}:
                if owner.setdefault(alias, a.code) != a.code:
                    raise ValueError(f"{alias!r} names both areas {owner[alias]!r} and {a.code!r}")
        return self


# ------------------------------------------------------------------ providers


class Schedule(_Entry):
    """Weekly slots in local time: every listed day, at every listed time."""

    days: Annotated[list[Weekday], Field(min_length=1)]
    times: Annotated[list[Clock], Field(min_length=1)]
    duration_minutes: Annotated[int, Field(gt=0, le=24 * 60)]
    capacity: Annotated[int, Field(gt=0, le=10_000)]

    @model_validator(mode="after")
    def _no_repeats(self) -> Schedule:
        _unique(list(self.days), "day")
        _unique(list(self.times), "time")
        return self


Schedules = Annotated[list[Schedule], BeforeValidator(_as_list)]


class OfferingSeed(_Entry):
    code: Code
    name: Text
    aliases: list[Text] = []
    description: str = ""
    details: dict[str, Any] = {}
    schedule: Schedules = []

    @field_validator("details")
    @classmethod
    def _reserved_keys(cls, details: dict[str, Any]) -> dict[str, Any]:
        if "schedules" in details:
            raise ValueError("'schedules' is reserved; give slots with schedule: beside details")
        return details


class ServiceSeed(_Entry):
    schedule: Schedules = []
    offerings: list[OfferingSeed] = []

    @model_validator(mode="after")
    def _unique_offerings(self) -> ServiceSeed:
        _unique([o.code for o in self.offerings], "offering code")
        return self


class ProviderSeed(_Entry):
    code: Code
    kind: Code
    name: Text
    name_zh: str = ""
    aliases: list[Text] = []
    address: Text
    phone: Annotated[str, BeforeValidator(_quoted_digits)]
    details: dict[str, Any] = {}
    services: Annotated[dict[str, ServiceSeed], Field(min_length=1)]

    @field_validator("services")
    @classmethod
    def _known_areas(cls, services: dict[str, ServiceSeed], info: ValidationInfo) -> dict[str, ServiceSeed]:
        kinds: dict[str, str] = (info.context or {}).get("area_kinds", {})
        for area, service in services.items():
            if area not in kinds:
                raise ValueError(
                    f"unknown area code {area!r} (catalog.yml has: {', '.join(sorted(kinds))})"
                )
            scheduled = service.schedule or any(o.schedule for o in service.offerings)
            if scheduled and kinds[area] not in SLOT_KINDS:
                raise ValueError(
                    f"area {area!r} is a {kinds[area]}: only appointment and ticket areas have schedules"
                )
        return services

    @field_validator("details")
    @classmethod
    def _reserved_keys(cls, details: dict[str, Any]) -> dict[str, Any]:
        if "schedules" in details:
            raise ValueError("'schedules' is reserved; give slots with schedule: under services")
        return details


class ProvidersFile(_Entry):
    providers: Annotated[list[ProviderSeed], Field(min_length=1)]

    @model_validator(mode="after")
    def _unambiguous_names(self) -> ProvidersFile:
        _unique([p.code for p in self.providers], "provider code")
        # The bot turns names and aliases into synonyms: one word, one provider.
        owner: dict[str, str] = {}
        for p in self.providers:
            for alias in {a.casefold() for a in [p.name, *p.aliases]}:
                if owner.setdefault(alias, p.code) != p.code:
                    raise ValueError(f"{alias!r} names both {owner[alias]!r} and {p.code!r}")
        # Within an area, an offering alias means one offering code everywhere.
        meaning: dict[tuple[str, str], str] = {}
        for p in self.providers:
            for area, service in p.services.items():
                for o in service.offerings:
                    for alias in {a.casefold() for a in o.aliases}:
                        code = meaning.setdefault((area, alias), o.code)
                        if code != o.code:
                            raise ValueError(
                                f"in area {area!r}, alias {alias!r} means {code!r} "
                                f"elsewhere but {o.code!r} at {p.code!r}"
                            )
        return self


# ------------------------------------------------------------------ holders


class StewardSeed(_Entry):
    username: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9._-]*$", max_length=64)]
    name: Text
    email: str = ""
    phone: Annotated[str, BeforeValidator(_quoted_digits)] = ""
    role: Literal["steward", "supervisor"] = "steward"


class ChildSeed(_Entry):
    name: Text
    birth_date: date
    school: str = ""
    grade: str = ""


class HolderSeed(_Entry):
    # "PT" + year of issue + 4-digit serial: PT20260007 is serial 7.
    card_number: Annotated[str, StringConstraints(pattern=r"^PT\d{4}\d{4}$")]
    pin: Annotated[
        str, BeforeValidator(_quoted_digits), StringConstraints(pattern=r"^\d{6}$")
    ]
    name: Text
    name_zh: str = ""
    title: str = ""
    employer: str = ""
    phone: Annotated[str, BeforeValidator(_quoted_digits)] = ""
    email: str = ""
    preferred_language: Literal["en", "zh"] = "en"
    card_issued_on: date
    card_valid_until: date
    steward: str | None = None
    children: list[ChildSeed] = []

    @property
    def serial(self) -> int:
        return int(self.card_number[-4:])

    @property
    def golden(self) -> bool:
        return self.serial <= GOLDEN_SERIAL_MAX

    @model_validator(mode="after")
    def _consistent(self) -> HolderSeed:
        if self.serial == 0:
            raise ValueError(f"{self.card_number}: serial 0000 is not a card")
        if self.card_valid_until <= self.card_issued_on:
            raise ValueError(f"{self.card_number}: card_valid_until is not after card_issued_on")
        _unique([c.name for c in self.children], "child name")
        return self


class HoldersFile(_Entry):
    stewards: list[StewardSeed] = []
    holders: list[HolderSeed] = []

    @model_validator(mode="after")
    def _references(self) -> HoldersFile:
        _unique([s.username for s in self.stewards], "steward username")
        _unique([h.card_number for h in self.holders], "card number")
        _unique([str(h.serial) for h in self.holders], "card serial")
        usernames = {s.username for s in self.stewards}
        for h in self.holders:
            if h.steward is not None and h.steward not in usernames:
                raise ValueError(f"{h.card_number}: unknown steward {h.steward!r}")
        return self


# ------------------------------------------------------------------ reading

M = TypeVar("M", bound=BaseModel)


def read_catalog(seed_dir: Path) -> CatalogFile:
    return _read(seed_dir / CATALOG_FILE, CatalogFile.model_validate)


def read_providers(seed_dir: Path, *, catalog: CatalogFile) -> ProvidersFile:
    kinds = {a.code: a.kind for a in catalog.areas}
    return _read(
        seed_dir / PROVIDERS_FILE,
        lambda data: ProvidersFile.model_validate(data, context={"area_kinds": kinds}),
    )


def read_holders(seed_dir: Path) -> HoldersFile:
    return _read(seed_dir / HOLDERS_FILE, HoldersFile.model_validate)


def _read(path: Path, validate: Callable[[Any], M]) -> M:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SeedError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise SeedError(f"{path.name}: not valid YAML: {exc}") from None
    try:
        return validate(data)
    except ValidationError as exc:
        problems = [
            f"  {_where(data, err['loc'])}: {_message(err)}" for err in exc.errors()
        ]
        raise SeedError(f"{path.name} has {len(problems)} problem(s):\n" + "\n".join(problems)) from None


def _message(err: Any) -> str:
    # Pydantic prefixes messages from our own validators; the rest read fine.
    return str(err["msg"]).removeprefix("Value error, ")


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    """`providers[3] (tongji-hospital).services` rather than `providers.3.services`."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int):
            parts.append(f"[{key}]")
            node = node[key] if isinstance(node, list) and key < len(node) else None
            label = _label(node)
            if label:
                parts.append(f" ({label})")
        else:
            parts.append(f".{key}" if parts else str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def _label(node: Any) -> str:
    if isinstance(node, dict):
        for key in ("code", "username", "card_number", "name", "id"):
            if isinstance(node.get(key), str):
                return str(node[key])
    return ""


__all__ = [
    "AreaSeed",
    "CatalogFile",
    "HolderSeed",
    "HoldersFile",
    "ProviderSeed",
    "ProvidersFile",
    "Schedule",
    "SeedError",
    "read_catalog",
    "read_holders",
    "read_providers",
]
