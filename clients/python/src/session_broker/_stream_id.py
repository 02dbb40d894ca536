"""Redis stream ids (``<milliseconds>-<sequence>``) as comparable values."""

from __future__ import annotations

from typing import NamedTuple


class StreamId(NamedTuple):
    """A parsed stream id; tuples compare in stream order."""

    millis: int
    sequence: int

    @classmethod
    def parse(cls, text: str) -> StreamId:
        """Parses ``<ms>-<seq>`` (or ``<ms>``).

        Raises:
            ValueError: not a stream id.
        """
        millis, _, sequence = text.partition("-")
        if not millis.isdigit() or (sequence and not sequence.isdigit()):
            raise ValueError(f"not a Redis stream id: {text!r}")
        return cls(int(millis), int(sequence or 0))

    def __str__(self) -> str:
        return f"{self.millis}-{self.sequence}"


ZERO = StreamId(0, 0)
