"""Scripted misbehaviour: canned responses, 5xx, 429, edge blocks, garbage, hangs, drops."""

from __future__ import annotations

from dataclasses import dataclass, field
import re
from typing import Any

from aiohttp import web

from .responses import api_error, edge_block

FAULT_KINDS = (
    "respond",
    "fail",
    "rate_limit",
    "edge_block",
    "malformed",
    "hang",
    "drop_after_confirm",
)
CONFIRMATION_PATH = r"^/v1/payment_intents/[^/]+/confirmation$"
MALFORMED_BODY = '{"status": "OK", "data": [{"truncated'


@dataclass
class Fault:
    """One scripted fault; ``count`` None = until cleared. ``path`` is searched (``re.search``)."""

    kind: str
    method: str
    path: str
    count: int | None
    status: int = 200
    json: Any = None
    text: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: str | None = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method != "*" and self.method.upper() != method.upper():
            return False
        return re.search(self.path, path) is not None

    def response(self) -> web.Response:
        """The canned response of the kinds that answer instead of the API."""
        if self.kind == "edge_block":
            return edge_block()
        if self.kind == "rate_limit":
            response = api_error(429, "TOO_MANY_REQUESTS", "Too many requests")
            if self.retry_after is not None:
                response.headers["Retry-After"] = self.retry_after
            return response
        if self.kind == "fail":
            code = "SERVICE_UNAVAILABLE" if self.status == 503 else "INTERNAL_SERVER_ERROR"
            return api_error(self.status, code, f"Scripted failure {self.status}")
        if self.kind == "malformed":
            return web.Response(status=200, text=MALFORMED_BODY, content_type="application/json")
        if self.json is not None:
            return web.json_response(self.json, status=self.status, headers=self.headers)
        response = web.Response(status=self.status, text=self.text or "", headers=self.headers)
        if self.text is not None and "Content-Type" not in self.headers:
            response.content_type = "text/plain"
        return response

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "method": self.method,
            "path": self.path,
            "count": self.count,
            "status": self.status,
            "hits": self.hits,
        }


class FaultBook:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}")
        re.compile(fault.path)
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first matching fault, spending one of its uses."""
        for fault in self.faults:
            if not fault.matches(method, path):
                continue
            fault.hits += 1
            if fault.count is not None:
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
            return fault
        return None
