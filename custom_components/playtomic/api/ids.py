"""Ids that go into request paths and bodies: checked, then percent-encoded.

Ids come from action data, stored rules and server answers. Each one is checked against the
shape Playtomic's ids have (`contract.ID_PATTERN`) before any request is built from it, and path
segments are percent-encoded as a second line (the transport sends paths as encoded, so nothing
normalises a `..` or decodes a `%2F` afterwards).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from . import contract
from .errors import InvalidIdError


def is_playtomic_id(value: object) -> bool:
    """Whether `value` has the shape of a Playtomic id."""
    return isinstance(value, str) and contract.ID_PATTERN.fullmatch(value) is not None


def check_id(value: object, what: str) -> str:
    """`value` if it is a Playtomic id; InvalidIdError (no value in the message) otherwise."""
    if not is_playtomic_id(value):
        raise InvalidIdError(what)
    assert isinstance(value, str)
    return value


def check_ids(values: Iterable[object], what: str) -> list[str]:
    """Every value checked (see `check_id`)."""
    return [check_id(value, what) for value in values]


def id_path(template: str, **ids: str) -> str:
    """A contract path template with its ids checked and percent-encoded as single segments."""
    return template.format(
        **{name: quote(check_id(value, name), safe="") for name, value in ids.items()}
    )
