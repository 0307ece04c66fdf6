"""The last API error any part of an account entry saw (the `api_status` diagnostic sensor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .engine.reasons import Reason


@dataclass
class ApiHealth:
    """The last API error seen by any part of the entry (diagnostic sensor)."""

    error: Reason | None = None
    at: datetime | None = None

    def record(self, reason: Reason | None, at: datetime | None) -> None:
        """An API failure seen at `at` (a poll, a booking): the sensor shows the latest."""
        self.error = reason
        self.at = at
