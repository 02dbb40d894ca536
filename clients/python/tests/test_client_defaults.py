"""The Python client's defaults are the shared ones (test-vectors/client-defaults), like Java's."""

import inspect
import json
from datetime import timedelta
from pathlib import Path

from session_broker import SessionBrokerClient

DEFAULTS = json.loads(
    (
        Path(__file__).resolve().parents[3] / "test-vectors" / "client-defaults" / "defaults.json"
    ).read_text(encoding="utf-8")
)


def _default(name: str):
    return inspect.signature(SessionBrokerClient.__init__).parameters[name].default


def _seconds(value) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def test_every_shared_default_is_the_python_clients_default():
    mismatches = {}
    for key, expected in DEFAULTS.items():
        name = key.removesuffix("_seconds")
        actual = _default(name)
        if key.endswith("_seconds"):
            actual = _seconds(actual)
        elif hasattr(actual, "value"):
            actual = actual.value
        if actual != expected:
            mismatches[name] = (actual, expected)
    assert mismatches == {}
