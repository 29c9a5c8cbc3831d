"""Forms for people: what a page checks itself (dates, required fields) and the API's per-field errors,
both shown beside the field and in the error summary, in the person's language.

Error messages are English message ids marked with N_ (the templates translate them). The APIs answer
English; the messages they use are listed here so the catalogs translate them too, and any other one is
shown after a translated sentence naming the field."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..domain.dates import parse_swiss_date
from ..domain.words import N_
from .ports import ApiProblem

API_MESSAGES = {
    "Field required": N_("Enter this information"),
    "must be written 756.XXXX.XXXX.XX": N_("Write the AVS number as 756.XXXX.XXXX.XX"),
    "wrong check digit (EAN-13)": N_("This AVS number is not valid: check its digits"),
    "must be after valid_from": N_("The end of validity must be after its start"),
    "must not be empty": N_("Choose at least one"),
}


@dataclass
class FormErrors:
    errors: list[dict[str, str]] = field(default_factory=list)

    def add(self, name: str, message: str, detail: str | None = None) -> None:
        self.errors.append({"field": name, "message": message, "detail": detail or ""})

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __iter__(self) -> Iterator[dict[str, str]]:
        return iter(self.errors)

    def for_field(self, name: str) -> dict[str, str] | None:
        return next((e for e in self.errors if e["field"] == name), None)

    def text(self, form: dict[str, Any], name: str, *, required: bool = True, message: str = "") -> str:
        value = str(form.get(name) or "").strip()
        if required and not value:
            self.add(name, message or N_("Enter this information"))
        return value

    def day(self, form: dict[str, Any], name: str, *, required: bool = True) -> date | None:
        text = str(form.get(name) or "").strip()
        if not text:
            if required:
                self.add(name, N_("Enter a date, for example 31.12.2026"))
            return None
        parsed = parse_swiss_date(text)
        if parsed is None:
            self.add(name, N_("Write the date as day.month.year, for example 31.12.2026"))
        return parsed

    def from_api(self, problem: ApiProblem, fields: dict[str, str], fallback: str) -> None:
        """Each error the API names goes beside the form field it comes from (the longest matching path);
        an error about a field the form does not show goes beside `fallback`."""
        for item in problem.errors:
            api_field = str(item.get("field") or "")
            message = str(item.get("message") or "")
            name = next((fields[p] for p in sorted(fields, key=len, reverse=True)
                         if api_field == p or api_field.startswith(p + ".")), fallback)
            known = API_MESSAGES.get(message)
            self.add(name, known or N_("This answer is not accepted"), None if known else message)
        if not problem.errors:
            self.add(fallback, N_("The request was refused"), problem.detail)


def listed(form: dict[str, Any], name: str) -> list[str]:
    value = form.get(name)
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
