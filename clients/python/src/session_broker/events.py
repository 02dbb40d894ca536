"""Revocation events, version 1 (SPEC §3.3, docs/event-format.md), and their parser."""

from __future__ import annotations

import enum
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

__all__ = ["EventType", "Reason", "RevocationEvent", "parse_event", "parse_stream_entry"]

_LOG = logging.getLogger(__name__)
_FRACTION = re.compile(r"\.(\d+)")

#: The only event format version this library reads; events of other versions are skipped.
FORMAT_VERSION = 1


class EventType(str, enum.Enum):
    """What an event revokes."""

    SESSION_REVOKED = "session.revoked"
    """One SSO session (``sid``)."""
    USER_REVOKED = "user.revoked"
    """Every session of ``sub`` that began before ``at``."""
    CLIENT_REVOKED = "client.revoked"
    """Every session of the client issued before ``not_before``."""


class Reason(str, enum.Enum):
    """Why the broker revoked; ``UNKNOWN`` for a reason this version does not know."""

    BACKCHANNEL_LOGOUT = "backchannel_logout"
    ADMIN = "admin"
    KEYCLOAK_ADMIN = "keycloak_admin"
    EXPIRED = "expired"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, wire_name: str) -> Reason:
        """The reason for a wire name; ``UNKNOWN`` for names this version does not know."""
        try:
            return cls(wire_name)
        except ValueError:
            return cls.UNKNOWN


@dataclass(frozen=True)
class RevocationEvent:
    """One revocation, as the broker published it.

    Attributes:
        id: the Redis stream id (``<ms>-<seq>``), strictly increasing per client stream.
        type: what is revoked.
        reason: why.
        issuer: the issuer alias.
        client_id: the client whose stream holds the event.
        sid: the Keycloak SSO session id (``session.revoked`` only).
        sub: the user, when known.
        session_ids: this client's registered local sessions affected (may be empty).
        at: when the broker recorded the revocation (timezone-aware, UTC).
        not_before: ``client.revoked`` only: sessions issued before it are revoked.
    """

    id: str
    type: EventType
    reason: Reason
    issuer: str
    client_id: str
    sid: str | None
    sub: str | None
    session_ids: tuple[str, ...]
    at: datetime
    not_before: datetime | None


class EventFormatError(ValueError):
    """A message that is not a readable version-1 event (missing or malformed member)."""


def parse_event(payload: str | bytes) -> RevocationEvent | None:
    """Parses one event JSON as published on the channel or stored in the stream.

    Unknown members are ignored. Returns ``None`` for an event to skip: another format version
    (``v`` other than 1) or a ``type`` this version does not know.

    Raises:
        EventFormatError: the payload is not JSON, or a required member is missing or malformed.
    """
    return _event_of(_json_object(payload))


def parse_stream_entry(entry_id: str, payload: str | bytes) -> RevocationEvent | None:
    """Parses the ``event`` field of a client stream entry; the entry id is the event's ``id``.

    The broker stores the event without ``id`` (the entry id is the id); brokers before this
    library version stored it with an ``id`` equal to the entry id. Both read alike: the entry id
    wins over a stored ``id``. Otherwise as :func:`parse_event`.

    Args:
        entry_id: the stream entry id, ``<ms>-<seq>``.
        payload: the value of the entry's ``event`` field.

    Raises:
        EventFormatError: as :func:`parse_event`.
    """
    data = _json_object(payload)
    data["id"] = entry_id
    return _event_of(data)


def _json_object(payload: str | bytes) -> dict[str, Any]:
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as e:
        raise EventFormatError(f"not JSON: {e}") from None
    if not isinstance(data, dict):
        raise EventFormatError("not a JSON object")
    return data


def _event_of(data: dict[str, Any]) -> RevocationEvent | None:
    if data.get("v") != FORMAT_VERSION:
        return None
    try:
        event_type = EventType(_required_text(data, "type"))
    except ValueError:
        return None
    session_ids = data.get("sessionIds") or []
    if not isinstance(session_ids, list) or not all(isinstance(s, str) for s in session_ids):
        raise EventFormatError("sessionIds: not a list of strings")
    not_before = data.get("notBefore")
    return RevocationEvent(
        id=_required_text(data, "id"),
        type=event_type,
        reason=Reason.of(_required_text(data, "reason")),
        issuer=_required_text(data, "issuer"),
        client_id=_required_text(data, "clientId"),
        sid=_optional_text(data, "sid"),
        sub=_optional_text(data, "sub"),
        session_ids=tuple(session_ids),
        at=parse_instant(_required_text(data, "at")),
        not_before=None if not_before is None else parse_instant(str(not_before)),
    )


def event_id_of(payload: str | bytes) -> str | None:
    """The ``id`` member of a payload that may not be a readable event, or ``None``."""
    try:
        data: Any = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def parse_instant(text: str) -> datetime:
    """An ISO-8601 instant (``2026-11-24T05:49:43.004Z``) as an aware UTC ``datetime``.

    Raises:
        EventFormatError: the text is not an instant with a zone.
    """
    # Python 3.10's fromisoformat reads only 3 or 6 fraction digits; Java writes 0, 3, 6 or 9.
    normalized = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text)
    try:
        value = datetime.fromisoformat(normalized.replace("Z", "+00:00"))
    except ValueError:
        raise EventFormatError(f"not an ISO-8601 instant: {text!r}") from None
    if value.tzinfo is None:
        raise EventFormatError(f"instant without a zone: {text!r}")
    return value.astimezone(timezone.utc)


def _required_text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise EventFormatError(f"{name}: missing or not a string")
    return value


def _optional_text(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise EventFormatError(f"{name}: not a string")
    return value
