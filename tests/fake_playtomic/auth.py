"""Login, refresh with rotation, the Bearer check and the profile (docs/playtomic-api.md §2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .responses import UNAUTHORIZED, InvalidBodyError, api_error, bad_parameters, json_body, json_ok
from .tokens import TokenPair
from .wire import naive_utc

if TYPE_CHECKING:
    from .server import FakePlaytomic

USER_KEY = "playtomic_user_id"
ROLE_CUSTOMER = "ROLE_CUSTOMER"


def unauthorized(message: str) -> web.Response:
    return api_error(401, UNAUTHORIZED, message)


def bearer_user(fake: FakePlaytomic, request: web.Request) -> str | None:
    """The user behind a valid ``Authorization: Bearer`` header, else None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return fake.state.tokens.user_for_access(token.strip())


def current_user(request: web.Request) -> str:
    """The caller's user id, set by the auth middleware before any Bearer handler runs."""
    user_id: str = request[USER_KEY]
    return user_id


def token_body(pair: TokenPair) -> dict[str, Any]:
    # No expires_in: real responses only carry the naive-UTC expirations (docs/playtomic-api.md §2.1).
    return {
        "access_token": pair.access.token,
        "access_token_expiration": naive_utc(pair.access.expires_at),
        "refresh_token": pair.refresh.token,
        "refresh_token_expiration": naive_utc(pair.refresh.expires_at),
        "user_id": pair.access.user_id,
    }


def _roles_ok(body: dict[str, Any]) -> bool:
    roles = body.get("requested_user_roles")
    return roles is None or (isinstance(roles, list) and all(isinstance(r, str) for r in roles))


class AuthHandlers:
    def __init__(self, fake: FakePlaytomic) -> None:
        self._fake = fake

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v3/auth/login", self.login),
            web.post("/v3/auth/token", self.refresh),
            web.get("/v2/users/me", self.me),
        ]

    async def login(self, request: web.Request) -> web.Response:
        try:
            body = await json_body(request)
        except InvalidBodyError:
            return bad_parameters("Body is not JSON")
        if not isinstance(body, dict) or not _roles_ok(body):
            return bad_parameters("Expected email, password and optional requested_user_roles")
        email, password = body.get("email"), body.get("password")
        if not isinstance(email, str) or not isinstance(password, str):
            return bad_parameters("email and password are required")
        account = self._fake.state.accounts.get(email.strip().lower())
        if account is None or account.password != password:
            return unauthorized("Wrong email or password")
        return json_ok(token_body(self._fake.state.tokens.issue(account.user_id)))

    async def refresh(self, request: web.Request) -> web.Response:
        """Accepts the three body variants of docs/playtomic-api.md §2.2; every success rotates the token."""
        try:
            body = await json_body(request)
        except InvalidBodyError:
            return bad_parameters("Body is not JSON")
        if not isinstance(body, dict) or not _roles_ok(body):
            return bad_parameters("Expected refresh_token")
        token = body.get("refresh_token")
        grant = body.get("grant_type")
        if not isinstance(token, str) or grant not in (None, "refresh_token"):
            return bad_parameters("refresh_token is required")
        keep = self._fake.variants.refresh_keeps_token
        pair = self._fake.state.tokens.rotate(token, keep=keep)
        if pair is None:
            return unauthorized("Refresh token is invalid, expired or already used")
        answer = token_body(pair)
        if keep:
            del answer["refresh_token"], answer["refresh_token_expiration"]
        return json_ok(answer)

    async def me(self, request: web.Request) -> web.Response:
        user_id = current_user(request)
        account = self._fake.state.account_by_id(user_id)
        if account is None:
            return unauthorized("Unknown user")
        return json_ok(
            {
                "user_id": account.user_id,
                "full_name": account.name,
                "email": account.email,
                "picture": None,
                "gender": None,
                "is_premium": False,
                "communications_language": "en",
                "accepts_commercial_communications": False,
            }
        )
