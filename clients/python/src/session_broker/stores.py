"""Where a client keeps the id of the last event it read from the stream (its catch-up cursor)."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

__all__ = ["FileLastSeenIdStore", "InMemoryLastSeenIdStore", "LastSeenIdStore"]


@runtime_checkable
class LastSeenIdStore(Protocol):
    """Keeps the catch-up cursor: the id of the last event read from the stream in order.

    ``save`` is called from the client's subscriber thread only, after the events up to that id
    were delivered; ``load`` once at start. The stored id decides only which events reach the
    listeners after a restart, never what the revoked set knows: every start reads the retained
    stream from its beginning to rebuild it (SPEC §3.4, §3.5).
    """

    def load(self) -> str | None:
        """The stored id, or ``None`` when nothing was stored yet."""
        ...

    def save(self, last_seen_id: str) -> None:
        """Stores the id (replacing the previous one)."""
        ...


class InMemoryLastSeenIdStore:
    """Keeps the cursor for the life of the process: a restarted process replays what the
    stream retains (the revoked set is rebuilt; listeners see those events again)."""

    def __init__(self) -> None:
        self._value: str | None = None
        self._lock = threading.Lock()

    def load(self) -> str | None:
        with self._lock:
            return self._value

    def save(self, last_seen_id: str) -> None:
        with self._lock:
            self._value = last_seen_id


class FileLastSeenIdStore:
    """Keeps the cursor in a small text file, so a restarted process resumes after the last event
    it delivered: its listeners get only the events after it, while its revoked set is rebuilt
    from the whole retained stream (start-up reads it, bounded by the broker's retention).

    Writes are crash-safe: a temporary file in the same folder is written, fsynced and renamed over
    the old one, so the file holds either the old or the new id, never a torn one.

    Args:
        path: the file; its folder is created when missing.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = Path(path)

    @property
    def path(self) -> Path:
        """The file."""
        return self._path

    def load(self) -> str | None:
        """The stored id, or ``None`` when the file is missing or empty.

        Raises:
            OSError: the file exists but cannot be read.
        """
        try:
            text = self._path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        return text or None

    def save(self, last_seen_id: str) -> None:
        """Replaces the stored id atomically.

        Raises:
            OSError: the folder is not writable.
        """
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=self._path.name + ".", dir=self._path.parent)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as file:
                file.write(last_seen_id + "\n")
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self._path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
