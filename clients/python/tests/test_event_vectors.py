"""Every shared event vector (test-vectors/events, SPEC §3.5) parses as its ``expected``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from session_broker import RevocationEvent, parse_event, parse_stream_entry
from session_broker.events import parse_instant

VECTORS = sorted((Path(__file__).resolve().parents[3] / "test-vectors" / "events").glob("*.json"))


def test_vectors_are_found() -> None:
    assert len(VECTORS) >= 8


def test_stream_entry_vectors_are_found() -> None:
    assert sum("streamEntry" in json.loads(p.read_text(encoding="utf-8")) for p in VECTORS) >= 3


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_vector(path: Path) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    assert_parsed_as_expected(parse_event(vector["message"]), vector["expected"])


@pytest.mark.parametrize(
    "path",
    [p for p in VECTORS if "streamEntry" in json.loads(p.read_text(encoding="utf-8"))],
    ids=lambda p: p.stem,
)
def test_stream_entry_vector(path: Path) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    entry = vector["streamEntry"]
    assert_parsed_as_expected(parse_stream_entry(entry["id"], entry["event"]), vector["expected"])


def assert_parsed_as_expected(
    event: RevocationEvent | None, expected: dict[str, Any] | None
) -> None:
    if expected is None:
        assert event is None
        return
    assert event is not None
    assert event.id == expected["id"]
    assert event.type.value == expected["type"]
    assert event.reason.value == expected["reason"]
    assert event.issuer == expected["issuer"]
    assert event.client_id == expected["clientId"]
    assert event.sid == expected["sid"]
    assert event.sub == expected["sub"]
    assert list(event.session_ids) == expected["sessionIds"]
    assert event.at == parse_instant(expected["at"])
    if expected["notBefore"] is None:
        assert event.not_before is None
    else:
        assert event.not_before == parse_instant(expected["notBefore"])


def test_nanosecond_instants_as_java_writes_them() -> None:
    assert parse_instant("2026-11-24T05:49:43.123456789Z").microsecond == 123456


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        "[]",
        '{"v":1,"type":"session.revoked"}',
        '{"v":1,"id":"1-0","type":"user.revoked","reason":"admin","issuer":"a","clientId":"c",'
        '"at":"yesterday"}',
    ],
)
def test_unreadable_events_are_refused_with_a_clear_error(payload: str) -> None:
    with pytest.raises(ValueError):
        parse_event(payload)
