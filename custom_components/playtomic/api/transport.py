"""One HTTP exchange with the API: headers, timeouts, the edge block, error-body decoding.

No retries and no auth decisions here (client.py and auth.py own those); this module only turns a
request into a `RawResponse` or a PlaytomicError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
import json
import logging
from typing import Any

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from . import contract
from .errors import (
    UNEXPECTED_RESPONSE,
    PlaytomicApiError,
    PlaytomicAuthError,
    PlaytomicConnectionError,
    PlaytomicEdgeBlockedError,
    PlaytomicError,
    PlaytomicRateLimitedError,
    ResponseTooLargeError,
)
from .timeconv import parse_http_date

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RawResponse:
    """Status, headers and body of one answer; `payload` is the decoded JSON when there was any."""

    method: str
    path: str
    status: int
    headers: Mapping[str, str] = field(repr=False)
    payload: object = field(repr=False, default=None)
    is_json: bool = False

    @property
    def ok(self) -> bool:
        """2xx."""
        return 200 <= self.status < 300

    def json(self) -> object:
        """The JSON body, or PlaytomicApiError(UNEXPECTED_RESPONSE) when there is none (§1.3)."""
        if not self.is_json:
            raise PlaytomicApiError(
                self.status,
                UNEXPECTED_RESPONSE,
                f"{self.method} {self.path} did not answer with JSON",
            )
        return self.payload

    def error_code_and_message(self) -> tuple[str | None, str]:
        """Read the three error-body shapes of §1.4: status/localized_message, error, message."""
        default = f"{self.method} {self.path} failed"
        if not self.is_json or not isinstance(self.payload, Mapping):
            return None, default
        body = self.payload
        code: str | None = None
        for key in ("status", "error", "code"):
            value = body.get(key)
            if isinstance(value, str) and value:
                code = value
                break
        message = default
        for key in ("localized_message", "message", "error_description"):
            value = body.get(key)
            if isinstance(value, str) and value:
                message = value
                break
        else:
            details = body.get("details")
            if isinstance(details, Mapping):
                text = details.get("message") or details.get("localized_message")
                if isinstance(text, str) and text:
                    message = text
        return code, message


async def _read_capped(resp: aiohttp.ClientResponse) -> bytes:
    """The body, refused (ResponseTooLargeError) as soon as it passes the size cap."""
    limit = contract.MAX_RESPONSE_BYTES
    if (resp.content_length or 0) > limit:
        raise ResponseTooLargeError(resp.status, limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise ResponseTooLargeError(resp.status, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def retry_after_seconds(headers: Mapping[str, str], now: datetime) -> float | None:
    """Retry-After as seconds (a number or an HTTP date), capped (§8 rule 6)."""
    raw = headers.get("Retry-After")
    if raw is None:
        return None
    value: float | None
    try:
        value = float(raw.strip())
    except ValueError:
        when = parse_http_date(raw)
        value = None if when is None else (when - now).total_seconds()
    if value is None:
        return None
    return min(max(value, 0.0), contract.RETRY_AFTER_CAP_SECONDS)


def error_for(response: RawResponse, now: datetime) -> PlaytomicError:
    """The error to raise for a non-2xx answer nobody handled specially (status first, code second)."""
    code, message = response.error_code_and_message()
    if response.status == 429:
        return PlaytomicRateLimitedError(retry_after_seconds(response.headers, now), code)
    if response.status == 401:
        return PlaytomicAuthError(f"Playtomic refused the credentials ({code or 'HTTP 401'})")
    return PlaytomicApiError(response.status, code, message)


def _looks_like_json(content_type: str, body: bytes) -> bool:
    return "json" in content_type.lower() and not body.lstrip().startswith(b"<")


class Transport:
    """Sends requests on an injected aiohttp session; counts them; enforces the edge-block pause."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        *,
        now: Callable[[], datetime],
        request_timeout: float,
    ) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._now = now
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self.request_count = 0
        self.edge_blocked_until: datetime | None = None

    @property
    def base_url(self) -> str:
        """Base URL without trailing slash."""
        return self._base_url

    def reset_edge_block(self) -> None:
        """Allow requests again before the pause ends (a user-initiated retry)."""
        self.edge_blocked_until = None

    def _check_edge_pause(self) -> None:
        """§8 rule 7: while paused, fail fast with the same error and send nothing."""
        until = self.edge_blocked_until
        if until is None:
            return
        if self._now() < until:
            raise PlaytomicEdgeBlockedError(
                f"Playtomic's firewall blocked this client; paused until {until.isoformat()}",
                blocked_until=until,
            )
        self.edge_blocked_until = None

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        token: str | None = None,
    ) -> RawResponse:
        """One request. Raises PlaytomicConnectionError or PlaytomicEdgeBlockedError; never retries."""
        self._check_edge_pause()
        headers = dict(contract.BASE_HEADERS)
        data: bytes | None = None
        if json_body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(json_body).encode()
        if token is not None and not path.startswith(contract.UNAUTHENTICATED_PREFIX):
            headers["Authorization"] = f"Bearer {token}"
        self.request_count += 1
        try:
            async with self._session.request(
                method,
                # Sent as built (ids checked and encoded in api/ids.py): nothing may normalise
                # a dot segment or decode an escaped '/' into another path.
                URL(self._base_url + path, encoded=True),
                params=dict(params) if params else None,
                data=data,
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,
                # aiohttp would label an empty POST application/octet-stream; §1.2 sends none
                skip_auto_headers=() if data is not None else ("Content-Type",),
            ) as resp:
                body = await _read_capped(resp)
                status = resp.status
                resp_headers = CIMultiDictProxy(CIMultiDict(resp.headers))
                content_type = resp.headers.get("Content-Type", "")
        except TimeoutError:
            _LOGGER.debug("%s %s timed out", method, path)
            raise PlaytomicConnectionError(f"{method} {path} timed out") from None
        except aiohttp.ClientError as err:
            _LOGGER.debug("%s %s failed: %s", method, path, type(err).__name__)
            raise PlaytomicConnectionError(
                f"{method} {path} failed: {type(err).__name__}"
            ) from None
        is_json = _looks_like_json(content_type, body)
        payload: object = None
        if is_json:
            try:
                payload = json.loads(body) if body.strip() else None
            except (ValueError, UnicodeDecodeError, RecursionError):
                # RecursionError: a hostile body nests arrays deeper than the parser goes.
                is_json = False
            else:
                is_json = bool(body.strip())
        _LOGGER.debug("%s %s -> %s", method, path, status)
        if status == 403 and not is_json:
            self._block(method, path, resp_headers)
        return RawResponse(method, path, status, resp_headers, payload, is_json)

    def _block(self, method: str, path: str, headers: Mapping[str, str]) -> None:
        """§1.3: an HTML 403 is CloudFront's own answer, whatever the Server header says."""
        cf_id = headers.get(contract.EDGE_REQUEST_ID_HEADER)
        until = self._now() + contract.EDGE_BLOCK_PAUSE
        self.edge_blocked_until = until
        _LOGGER.warning(
            "Playtomic's firewall (CloudFront) blocked %s %s (X-Amz-Cf-Id %s); pausing requests "
            "until %s",
            method,
            path,
            cf_id,
            until.isoformat(),
        )
        raise PlaytomicEdgeBlockedError(
            "Playtomic's firewall blocked the request (HTML 403)", cf_id=cf_id, blocked_until=until
        )
