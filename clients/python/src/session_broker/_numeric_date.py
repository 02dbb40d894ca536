"""Token times (JWT ``iat``, ``exp``, ``nbf``: RFC 7519 NumericDate) as instants."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any


def numeric_date(value: Any) -> datetime | None:
    """A NumericDate (RFC 7519 §2: seconds since 1970-01-01T00:00:00Z, a JSON number) as an
    aware UTC ``datetime``.

    Token claims are chosen by whoever sends the token, and the middleware reads them before the
    app verifies it, so anything that is no instant this library can represent yields ``None``
    (the caller's "unreadable" path) instead of an exception: a non-number, a boolean, ``NaN``,
    an infinity, or a number outside ``datetime``'s years 1 to 9999 (``1e300``,
    ``99999999999999``).

    Args:
        value: the claim as ``json`` decoded it (any type).

    Returns:
        the instant, or ``None`` when ``value`` is not a readable NumericDate.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        return datetime.fromtimestamp(value, timezone.utc)
    except (OverflowError, ValueError, OSError):
        return None
