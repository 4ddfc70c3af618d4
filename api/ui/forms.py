"""What a refused write says on a form: every reason at its field, conflicts explained."""

from __future__ import annotations

from dataclasses import dataclass, field

from dnsd.domain.errors import Conflict, DnsdError, InvalidInput, NotFound


@dataclass(slots=True)
class FormErrors:
    """Messages by form field (``values.1`` is shown at ``values``) and for the whole form."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def at(self, name: str) -> list[str]:
        return self.fields.get(name, [])


def form_errors(exc: DnsdError) -> FormErrors:
    """The messages for a domain error raised by a write (the API's 4xx, in words)."""
    out = FormErrors()
    if isinstance(exc, InvalidInput):
        for reason in exc.reasons:
            key = reason.field.split(".")[0] or "form"
            where = f" ({reason.field})" if "." in reason.field else ""
            out.fields.setdefault(key, []).append(reason.message + where)
    elif isinstance(exc, Conflict) and exc.holder:
        out.general.append(
            f"{exc} — the name belongs to owner {exc.holder}. Only that owner may change it; ask them, "
            "or delete their records at this name first."
        )
    elif isinstance(exc, NotFound) and exc.field:
        out.fields.setdefault(exc.field, []).append(str(exc))
    else:
        out.general.append(str(exc))
    return out
