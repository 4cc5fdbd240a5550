"""The front-matter schema: validation for the checker and JSON Schema for editors."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,199}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]

STATUSES = ("draft", "in-review", "published", "archived")
ACTION_STATUSES = ("open", "in-progress", "done", "wont-do")
ACTION_KINDS = ("detect", "mitigate", "prevent", "process")
OPEN_STATUSES = ("open", "in-progress")
PRIORITIES = ("P0", "P1", "P2")
# How the organisation learned of the incident (`detection`). `alert`: monitoring paged
# someone; `customer-report`: a customer (or support on their behalf) told us;
# `engineer`: someone noticed while doing other work; `automated-test`: a synthetic
# check, canary or test run failed; `third-party`: a vendor or partner told us;
# `other`: say how in the Summary.
DETECTION_METHODS = ("alert", "customer-report", "engineer", "automated-test", "third-party", "other")
_URL = re.compile(r"^https?://[^\s<>\"']+$")


def _aware(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError("timestamp has no time zone; add one, e.g. `2024-03-14T13:52:00+00:00` or `Z`")
    if isinstance(value, date) and not isinstance(value, datetime):
        raise ValueError("needs a time with a time zone, e.g. `2024-03-14T13:52:00+00:00`")
    return value


class ContributingFactor(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    factor: Slug = Field(description="A factor id from the taxonomy (postmortems/factors.yml).")
    description: Text = Field(description="How this condition contributed, in this incident.")
    enabled_by: list[Slug] = Field(
        default_factory=list, description="Ids of other factors of this postmortem that made this one possible."
    )


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    summary: Text
    owner: Name | None = Field(None, description="Who owns it: a person or a team.")
    due: date | None = Field(None, description="Due date, YYYY-MM-DD.")
    status: Literal["open", "in-progress", "done", "wont-do"] = "open"
    tracker: Annotated[str, StringConstraints(max_length=2000)] | None = Field(None, description="URL of the ticket.")
    kind: Literal["detect", "mitigate", "prevent", "process"] | None = None
    priority: Literal["P0", "P1", "P2"] | None = Field(
        None, description="P0: do now (blocks closing the incident); P1: this quarter; P2: when there is room."
    )
    addresses: list[Slug] = Field(
        default_factory=list, description="Ids of this postmortem's contributing factors that this action addresses."
    )

    @field_validator("due", mode="before")
    @classmethod
    def _due_is_date(cls, value: Any) -> Any:
        if isinstance(value, datetime):
            return value.date()
        return value

    @field_validator("tracker")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        ok = bool(_URL.match(value))
        if ok and ("[" in value or not value.isascii()):
            # Only these can trip Python's URL parser (an unclosed `[` of an IPv6 host,
            # a host that changes under NFKC), which later rules rely on.
            try:
                ok = bool(urlsplit(value).hostname)
            except ValueError:
                ok = False
        if not ok:
            raise ValueError("tracker must be an http(s) URL")
        return value


class Impact(BaseModel):
    """Structured impact, beside the prose of the Impact section; every key optional."""

    model_config = ConfigDict(extra="forbid", strict=True)

    customers_affected: Annotated[int, Field(ge=0)] | None = Field(
        None, description="Customers (accounts) who felt the incident."
    )
    requests_failed: Annotated[int, Field(ge=0)] | None = Field(None, description="Requests that failed or timed out.")
    slo_budget_spent_percent: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] | None = Field(
        None, description="Share of the period's error budget the incident spent, 0–100."
    )
    summary: Text | None = Field(None, description="The impact in one or two sentences.")

    @field_validator("slo_budget_spent_percent", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        # Strict mode refuses an int for a float; `12` is as good a percentage as `12.0`.
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


class FrontMatter(BaseModel):
    """Front matter of a postmortem (PRODUCT.md, "The postmortem format")."""

    model_config = ConfigDict(extra="forbid", strict=True, title="postmortem-kb postmortem front matter")

    id: Slug = Field(description="Unique, stable slug, e.g. 2024-03-14-customer-comms-outage.")
    title: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    status: Literal["draft", "in-review", "published", "archived"] = Field(
        description="archived: imported history, checked for format and safety only; "
        "its open actions are still reported."
    )
    template: Slug = Field("standard", description="Template in templates/ this postmortem follows.")
    severity: str = Field(description="One of the configured severities.")
    services: list[Name] = Field(min_length=1)
    teams: list[Name] = Field(default_factory=list)
    authors: list[Name] = Field(min_length=1)
    started: datetime
    detected: datetime
    mitigated: datetime | None = None
    resolved: datetime
    filed: datetime | date = Field(description="When the postmortem was opened: a date or a timestamp with time zone.")
    customer_impact: bool
    public_postmortem: datetime | date | str | None = Field(None, description="URL or date of the public write-up.")
    trigger: Text | None = Field(None, description="The event that exposed the latent conditions (not a cause).")
    contributing_factors: list[ContributingFactor]
    actions: list[Action]
    incident_commander: Name | None = Field(None, description="Who led the response.")
    facilitator: Name | None = Field(None, description="Who ran the review meeting.")
    participants: list[Name] = Field(default_factory=list, description="Who took part in the review.")
    review_date: date | None = Field(None, description="When the review meeting took place, YYYY-MM-DD.")
    detection: Literal["alert", "customer-report", "engineer", "automated-test", "third-party", "other"] | None = Field(
        None,
        description="How we learned of it: alert (monitoring paged), customer-report, engineer (noticed at work), "
        "automated-test (synthetic check, canary, test run), third-party (a vendor told us), other.",
    )
    impact: Impact | None = Field(
        None, description="Structured impact: customers and requests affected, error budget spent."
    )
    related: list[Slug] = Field(default_factory=list)
    tags: list[Name] = Field(default_factory=list)

    _aware_started = field_validator("started", "detected", "mitigated", "resolved", mode="before")(
        classmethod(lambda cls, v: v if v is None else _aware(v))
    )

    @field_validator("review_date", mode="before")
    @classmethod
    def _review_date(cls, value: Any) -> Any:
        return value.date() if isinstance(value, datetime) else value

    @field_validator("filed", mode="before")
    @classmethod
    def _filed(cls, value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError("timestamp has no time zone; write a date (2024-03-15) or add a zone")
        return value

    @field_validator("public_postmortem")
    @classmethod
    def _public(cls, value: Any) -> Any:
        if isinstance(value, str) and not _URL.match(value):
            raise ValueError("must be an http(s) URL or a date")
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError("timestamp has no time zone; write a date or add a zone")
        return value


def json_schema(severities: list[str], factor_ids: list[str] | None = None) -> dict[str, Any]:
    """JSON Schema of the front matter, with the configured severities (and factor ids) as enums."""
    schema = FrontMatter.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["properties"]["severity"]["enum"] = list(severities)
    if factor_ids:
        schema["$defs"]["ContributingFactor"]["properties"]["factor"]["enum"] = sorted(factor_ids)
    for key in ("started", "detected", "resolved"):
        schema["properties"][key]["format"] = "date-time"
    return schema


# ---- schema errors in plain words -------------------------------------------------------

_EXAMPLES = {
    "id": "`2024-03-14-checkout-outage`",
    "started": "`2024-03-14T13:52:00+00:00`",
    "detected": "`2024-03-14T14:06:00+00:00`",
    "mitigated": "`2024-03-14T15:40:00+00:00`",
    "resolved": "`2024-03-14T16:05:00+00:00`",
    "filed": "`2024-03-15` or `2024-03-15T09:00:00+00:00`",
    "due": "`2024-04-30`",
    "services": "`[checkout, payments]`",
    "teams": "`[payments]`",
    "authors": "`[Priya Raman]`",
    "tags": "`[certificates]`",
    "related": "`[2023-01-17-sms-backlog]`",
    "factor": "`capacity-saturation` (an id from postmortems/factors.yml)",
    "tracker": "`https://tracker.example.com/PAY-123`",
    "public_postmortem": "`https://status.example.com/incidents/123` or `2024-03-16`",
    "incident_commander": "`Amara Okafor`",
    "facilitator": "`Jonas Weber`",
    "participants": "`[Amara Okafor, Jonas Weber]`",
    "review_date": "`2024-03-18`",
    "addresses": "`[retry-storm]` (factor ids of this postmortem)",
    "customers_affected": "`1200`",
    "requests_failed": "`48000`",
    "slo_budget_spent_percent": "`12.5` (0–100)",
}
# Union members pydantic names in an error's location (`filed` is a datetime or a date).
_UNION_MEMBERS = {"datetime", "date", "str"}


def field_of(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """An error's location without the union member it was tried as."""
    return loc[:-1] if len(loc) > 1 and loc[-1] in _UNION_MEMBERS else loc


def plain_message(error: dict[str, Any]) -> tuple[str, str]:
    """(message, hint) in plain words for one pydantic error, with an example of a right
    value where one helps."""
    loc = field_of(tuple(error["loc"]))
    field = ".".join(str(p) for p in loc)
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), field)
    example = _EXAMPLES.get(name)
    kind = error["type"]
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", error["msg"])
        what = f"must be one of {', '.join(f'`{a}`' for a in allowed)}"
    elif name == "filed" and kind.startswith(("date", "datetime")):
        what = "must be a date, or a date and time with a time zone"
    elif kind in ("datetime_type", "datetime_parsing", "datetime_from_date_parsing"):
        what = "must be a date and time with a time zone"
    elif kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        what = "must be a date"
    elif kind == "bool_type":
        what = "must be `true` or `false`"
    elif kind == "string_type":
        what = "must be text"
    elif kind == "list_type":
        what = "must be a list"
    elif kind in ("int_type", "int_parsing", "int_from_float"):
        what = "must be a whole number"
    elif kind in ("float_type", "float_parsing", "finite_number"):
        what = "must be a number"
    elif kind == "greater_than_equal":
        what = f"must be at least {error.get('ctx', {}).get('ge', 0):g}"
    elif kind == "less_than_equal":
        what = f"must be at most {error.get('ctx', {}).get('le', 0):g}"
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        what = "must be a mapping of `key: value` lines"
    elif kind == "too_short":
        what = "must list at least one entry"
    elif kind == "string_too_short":
        what = "must not be empty"
    elif kind == "string_too_long":
        what = f"is too long: at most {error.get('ctx', {}).get('max_length', '?')} characters"
    elif kind == "string_pattern_mismatch":
        what = "must be a lower-case id: letters, digits, `.`, `_` and `-`, starting with a letter or digit"
    elif kind == "value_error":
        what = str(error["msg"]).removeprefix("Value error, ")
    else:
        what = str(error["msg"])
    hint = f"for example {example}" if example and "e.g." not in what else "see `pmkb schema` for every field"
    return f"`{field}` {what}" if kind != "value_error" else f"`{field}`: {what}", hint
