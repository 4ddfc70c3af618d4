"""Query and path parameters shared by several routes: pagination and canonical names."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from api.errors import InvalidQuery
from dnsd.domain.errors import Reason
from dnsd.domain.names import name_problems
from dnsd.store.base import MAX_BIGINT, MAX_INTEGER

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size (at most {MAX_LIMIT})")]
# Every integer a client sends is bounded to the width of the column it meets (422 naming it),
# so none reaches the driver as a number it cannot convert.
Offset = Annotated[int, Query(ge=0, le=MAX_BIGINT, description="items to skip")]
AfterId = Annotated[int, Query(ge=0, le=MAX_BIGINT, description="only changes with a larger id")]
RecordId = Annotated[int, Path(ge=1, le=MAX_INTEGER, description="the record's id (see GET /records)")]


def lookup_name(text: str) -> str:
    """``text`` in canonical form for looking something up (case, trailing dot, IDNA).

    A text that is no valid name is returned lower-cased: it matches nothing, so the lookup
    answers 404 or an empty list, as it would for any other name we do not hold.
    """
    name, problems = name_problems(text, strict=False)
    return text.strip().lower().rstrip(".") if problems else name


def query_name(text: str, field: str) -> str:
    """``text`` in canonical form, or :class:`InvalidQuery` naming the query parameter ``field``."""
    name, problems = name_problems(text)
    if problems:
        raise InvalidQuery([Reason(field, p) for p in problems])
    return name
