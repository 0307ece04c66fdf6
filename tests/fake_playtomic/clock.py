"""The single clock behind every decision of the fake server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """Server time: frozen (tests move it by hand) or real time plus an offset.

    The real variant reads ``datetime.now(UTC)`` on every call instead of caching a
    monotonic base, so Home Assistant's freezer and freezegun move it too.
    """

    def __init__(self, start: datetime | None = None, *, offset: timedelta | None = None) -> None:
        if start is not None and offset is not None:
            raise ValueError("pass either a frozen start or a real-time offset")
        if start is None and offset is None:
            raise ValueError("a frozen clock needs a start; use FakeClock.real() for real time")
        self._frozen: datetime | None = _aware_utc(start) if start is not None else None
        self._offset = offset if offset is not None else timedelta(0)

    @classmethod
    def real(cls, offset: timedelta = timedelta(0)) -> FakeClock:
        """Real time shifted by ``offset`` (a positive offset = a server clock that runs ahead)."""
        return cls(offset=offset)

    @property
    def is_real(self) -> bool:
        return self._frozen is None

    @property
    def offset(self) -> timedelta:
        return self._offset

    def now(self) -> datetime:
        if self._frozen is not None:
            return self._frozen
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float | timedelta) -> datetime:
        delta = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
        if self._frozen is not None:
            self._frozen += delta
        else:
            self._offset += delta
        return self.now()

    def set(self, when: datetime) -> datetime:
        when = _aware_utc(when)
        if self._frozen is not None:
            self._frozen = when
        else:
            self._offset = when - datetime.now(UTC)
        return self.now()


def _aware_utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("FakeClock needs timezone-aware datetimes")
    return when.astimezone(UTC)
