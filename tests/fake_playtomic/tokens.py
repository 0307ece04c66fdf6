"""Opaque access/refresh tokens with expiry and single-use refresh (docs/playtomic-api.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import secrets

from .clock import FakeClock


@dataclass
class TokenRecord:
    token: str
    user_id: str
    expires_at: datetime
    revoked: bool = False

    def valid_at(self, now: datetime) -> bool:
        return not self.revoked and now < self.expires_at


@dataclass(frozen=True)
class TokenPair:
    access: TokenRecord
    refresh: TokenRecord


class TokenStore:
    def __init__(self, clock: FakeClock, access_ttl: float, refresh_ttl: float) -> None:
        self._clock = clock
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self._access: dict[str, TokenRecord] = {}
        self._refresh: dict[str, TokenRecord] = {}
        self.issued: list[str] = []
        # (access, refresh) of every answer, oldest first; a kept refresh token repeats.
        self.pairs: list[tuple[str, str]] = []

    def issue(self, user_id: str) -> TokenPair:
        refresh = TokenRecord(
            secrets.token_urlsafe(48), user_id, self._now() + timedelta(seconds=self.refresh_ttl)
        )
        access = self._issue_access(user_id)
        self._refresh[refresh.token] = refresh
        self.issued.append(refresh.token)
        self.pairs.append((access.token, refresh.token))
        return TokenPair(access, refresh)

    def _issue_access(self, user_id: str) -> TokenRecord:
        access = TokenRecord(
            secrets.token_urlsafe(32), user_id, self._now() + timedelta(seconds=self.access_ttl)
        )
        self._access[access.token] = access
        self.issued.append(access.token)
        return access

    def _now(self) -> datetime:
        # Whole seconds, so the expiry the client reads equals the one the server enforces.
        return self._clock.now().replace(microsecond=0)

    def user_for_access(self, token: str) -> str | None:
        record = self._access.get(token)
        if record is None or not record.valid_at(self._clock.now()):
            return None
        return record.user_id

    def rotate(self, refresh_token: str, *, keep: bool = False) -> TokenPair | None:
        """Spend a refresh token: a new pair, or None when it is unknown, used or expired.

        With ``keep`` only a new access token is issued and the refresh token stays valid
        (docs/playtomic-api.md §11.4: some refresh answers carry no new refresh token).
        """
        record = self._refresh.get(refresh_token)
        if record is None or not record.valid_at(self._clock.now()):
            return None
        if keep:
            access = self._issue_access(record.user_id)
            self.pairs.append((access.token, record.token))
            return TokenPair(access, record)
        record.revoked = True
        return self.issue(record.user_id)

    def expire_all(self, *, refresh: bool = False) -> int:
        """Make every access token (or every refresh token) expire now; returns how many."""
        now = self._clock.now()
        records = self._refresh if refresh else self._access
        count = 0
        for record in records.values():
            if record.expires_at > now:
                record.expires_at = now
                count += 1
        return count

    # Saving and restoring (persist.py: the demo keeps its sessions across restarts) ---------

    def access_records(self) -> list[TokenRecord]:
        return list(self._access.values())

    def refresh_records(self) -> list[TokenRecord]:
        return list(self._refresh.values())

    def restore(
        self,
        access: list[TokenRecord],
        refresh: list[TokenRecord],
        issued: list[str],
        pairs: list[tuple[str, str]],
    ) -> None:
        """Replace every token by saved ones."""
        self._access = {record.token: record for record in access}
        self._refresh = {record.token: record for record in refresh}
        self.issued = list(issued)
        self.pairs = list(pairs)
