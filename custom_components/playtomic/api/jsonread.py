"""Strict readers for JSON payloads: every malformed value becomes PlaytomicApiError.

Models call these instead of indexing dicts, so no KeyError/TypeError/ValueError escapes a parser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import math
from typing import Any

from .errors import UNEXPECTED_RESPONSE, PlaytomicApiError


def malformed(what: str) -> PlaytomicApiError:
    """The error every parser raises for a payload that breaks the contract."""
    return PlaytomicApiError(None, UNEXPECTED_RESPONSE, f"Malformed {what} in Playtomic response")


def as_object(value: object, what: str) -> Mapping[str, Any]:
    """A JSON object, or PlaytomicApiError."""
    if not isinstance(value, Mapping):
        raise malformed(what)
    return value


def as_list(value: object, what: str) -> Sequence[Any]:
    """A JSON array, or PlaytomicApiError."""
    if not isinstance(value, list):
        raise malformed(what)
    return value


def unwrap_list(value: object, keys: tuple[str, ...], what: str) -> Sequence[Any]:
    """A bare array, or an object holding the array under one of `keys` (other keys ignored)."""
    if isinstance(value, Mapping):
        for key in keys:
            if key in value:
                return as_list(value[key], what)
        raise malformed(what)
    return as_list(value, what)


def _not_bool(data: Mapping[str, Any], key: str, what: str) -> object:
    """The value at `key` (None when null or missing); a JSON boolean there is malformed."""
    value = data.get(key)
    if isinstance(value, bool):
        raise malformed(f"{what}.{key}")
    return value


def opt_str(data: Mapping[str, Any], key: str, what: str) -> str | None:
    """An optional string (null or missing -> None)."""
    value = _not_bool(data, key, what)
    if value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise malformed(f"{what}.{key}")
    return value


def req_str(data: Mapping[str, Any], key: str, what: str) -> str:
    """A required non-empty string (ids and names); numbers are accepted as opaque ids."""
    return _required(opt_str(data, key, what), key, what)


def opt_int(data: Mapping[str, Any], key: str, what: str) -> int | None:
    """An optional integer; integral floats are tolerated."""
    value = _not_bool(data, key, what)
    if value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise malformed(f"{what}.{key}")


def req_int(data: Mapping[str, Any], key: str, what: str) -> int:
    """A required integer."""
    return _required(opt_int(data, key, what), key, what)


def _required[T](value: T | None, key: str, what: str) -> T:
    """A value an optional reader gave, unless it is missing (None) or an empty string."""
    if value is None or value == "":
        raise malformed(f"{what}.{key}")
    return value


def opt_bool(data: Mapping[str, Any], key: str, what: str) -> bool | None:
    """An optional boolean."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise malformed(f"{what}.{key}")
    return value


def opt_object(data: Mapping[str, Any], key: str, what: str) -> Mapping[str, Any]:
    """An optional object; null or missing gives an empty mapping."""
    value = data.get(key)
    if value is None:
        return {}
    return as_object(value, f"{what}.{key}")


def opt_float(data: Mapping[str, Any], key: str, what: str) -> float | None:
    """An optional number."""
    value = _not_bool(data, key, what)
    if value is None:
        return None
    if not isinstance(value, int | float):
        raise malformed(f"{what}.{key}")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        raise malformed(f"{what}.{key}") from None
    if not math.isfinite(number):  # json.loads reads NaN and Infinity
        raise malformed(f"{what}.{key}")
    return number


def dig(data: object, path: tuple[str, ...]) -> object:
    """Follow `path` through nested objects; None as soon as a step is missing or not an object."""
    current = data
    for key in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current
