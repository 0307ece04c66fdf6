"""Config flow of the Playtomic integration: account, first booking rule, options, rule subentries."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, override

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryData,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import callback
from homeassistant.data_entry_flow import FlowHandler, FlowResult
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .api import Club, PlaytomicClient, TokenPair
from .api.contract import normalize_sport_id
from .client_factory import create_client
from .const import (
    CLUB_SEARCH_RADIUS_M,
    CONF_DRY_RUN,
    CONF_PAYMENT_METHODS,
    CONF_QUERY,
    CONF_SPORT,
    CONF_TENANT_ID,
    CONF_TOKENS,
    CONF_USER_ID,
    DEFAULT_PAYMENT_METHODS,
    DEFAULT_SPORT,
    DOMAIN,
    PAYMENT_METHOD_CHOICES,
    SUBENTRY_BOOKING_RULE,
)
from .failures import flow_error
from .notifications import NOTIFY_DOMAIN
from .rule_entries import rule_subentries
from .rule_schema import (
    club_search_schema,
    club_select_schema,
    club_timezone,
    form_errors,
    nearest_first,
    release_settings,
    rule_data,
    rule_form_values,
    rule_schema,
    rule_values,
    validate_rule,
)

EMAIL_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="email"))
PASSWORD_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
USER_SCHEMA = vol.Schema(
    {vol.Required(CONF_EMAIL): EMAIL_SELECTOR, vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR}
)
REAUTH_SCHEMA = vol.Schema({vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR})
OPTIONS_SCHEMA = vol.Schema(
    {
        # Optional with an empty default so that clearing every method reaches our own error
        # (no_payment_methods) instead of a generic schema failure.
        vol.Optional(CONF_PAYMENT_METHODS, default=[]): SelectSelector(
            SelectSelectorConfig(
                options=list(PAYMENT_METHOD_CHOICES),
                multiple=True,
                # A dropdown keeps the order in which methods were picked: the preference order.
                mode=SelectSelectorMode.DROPDOWN,
                translation_key=CONF_PAYMENT_METHODS,
            )
        ),
        vol.Required(CONF_DRY_RUN, default=False): BooleanSelector(),
    }
)


def entry_title(email: str) -> str:
    """An account entry's title: its e-mail lower-cased, so "Alice@Example.com" and
    "alice@example.com" name one account alike (the login keeps the e-mail as typed)."""
    return email.strip().lower()


def form_schema(
    flow: FlowHandler[Any, Any, Any], schema: vol.Schema, values: Mapping[str, Any] | None
) -> Any:
    """`schema` with `values` as suggested values, typed for the flow API.

    Home Assistant 2026.3+ installs probatio as `voluptuous` at runtime and types its flow API
    with probatio, while mypy reads the voluptuous package; the objects are the same at runtime.
    """
    return flow.add_suggested_values_to_schema(schema, values)  # type: ignore[arg-type]


class ClubRuleSteps[ResultT: FlowResult[Any, Any]](FlowHandler[Any, ResultT, Any]):
    """The `club` → `club_select` → `rule` steps shared by the account flow and the rule subentry.

    Subclasses say where the API client comes from and what a finished rule becomes.
    """

    _clubs: list[Club]
    _club: Club | None = None
    _sport: str = DEFAULT_SPORT

    @abstractmethod
    def _rule_client(self) -> PlaytomicClient:
        """The logged-in client used to look clubs up."""

    @abstractmethod
    async def _async_save_rule(self, data: dict[str, Any]) -> ResultT:
        """Finish the flow with a validated rule."""

    def _retrying_client(self) -> PlaytomicClient:
        """The client, with any edge-block pause lifted: a submitted form is the user retrying."""
        client = self._rule_client()
        client.reset_edge_block()
        return client

    async def async_step_club(self, user_input: dict[str, Any] | None = None) -> ResultT:
        """Search clubs by name, or near the home location when no name is given."""
        errors: dict[str, str] = {}
        if user_input is not None:
            self._sport = normalize_sport_id(user_input[CONF_SPORT])
            query = (user_input.get(CONF_QUERY) or "").strip()
            home = (self.hass.config.latitude, self.hass.config.longitude)
            client = self._retrying_client()
            try:
                if query:
                    clubs = await client.search_clubs(name=query, sport_id=self._sport)
                else:
                    clubs = await client.search_clubs(
                        coordinate=home, radius_m=CLUB_SEARCH_RADIUS_M, sport_id=self._sport
                    )
            except Exception as err:
                errors["base"] = flow_error(err, "searching Playtomic clubs")
            else:
                if clubs:
                    self._clubs = nearest_first(clubs, home)
                    return await self.async_step_club_select()
                errors["base"] = "no_clubs_found"
        return self.async_show_form(
            step_id="club",
            data_schema=form_schema(self, club_search_schema(), user_input),
            errors=errors,
        )

    async def async_step_club_select(self, user_input: dict[str, Any] | None = None) -> ResultT:
        """Pick one of the clubs found; its courts are loaded for the rule form."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                self._club = await self._retrying_client().get_club(user_input[CONF_TENANT_ID])
            except Exception as err:
                errors["base"] = flow_error(err, "loading a Playtomic club")
            else:
                return await self.async_step_rule()
        return self.async_show_form(
            step_id="club_select",
            data_schema=form_schema(self, club_select_schema(self._clubs), user_input),
            errors=errors,
            description_placeholders={"count": str(len(self._clubs))},
        )

    async def async_step_rule(self, user_input: dict[str, Any] | None = None) -> ResultT:
        """The booking rule at the chosen club, with defaults that fit the club."""
        return await self._async_rule_form("rule", user_input, None)

    def _release_at(self, tenant_id: str) -> dict[str, Any] | None:
        """Release fields another rule at the club already states (none in a new account)."""
        return None

    async def _async_rule_form(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        suggested: Mapping[str, Any] | None,
    ) -> ResultT:
        """Show, validate and save the rule form of `self._club` (new rule or edit)."""
        club = self._club
        assert club is not None  # set by club_select or the reconfigure step
        errors: dict[str, str] = {}
        schema = rule_schema(
            club,
            self.hass.services.async_services_for_domain(NOTIFY_DOMAIN),
            self._sport,
            self._release_at(club.tenant_id),
        )
        if user_input is not None:
            values = rule_values(schema, user_input)
            errors = form_errors(validate_rule(values))
            if not errors:
                data = rule_data(
                    values,
                    tenant_id=club.tenant_id,
                    club_name=club.name,
                    club_timezone=club_timezone(club),
                )
                data[CONF_SPORT] = self._sport
                return await self._async_save_rule(data)
        return self.async_show_form(
            step_id=step_id,
            data_schema=form_schema(
                self, schema, user_input if user_input is not None else suggested
            ),
            errors=errors,
            description_placeholders={"club": club.name, "timezone": club_timezone(club)},
        )


class PlaytomicConfigFlow(ClubRuleSteps[ConfigFlowResult], ConfigFlow, domain=DOMAIN):
    """One config entry per Playtomic account, created together with its first booking rule."""

    VERSION = 1
    # 2: titles (and so the account device's name) are the e-mail lower-cased (__init__ migrates).
    MINOR_VERSION = 2

    def __init__(self) -> None:
        """Start with nothing known about the account."""
        self._email = ""
        self._password = ""
        self._user_id = ""
        self._client: PlaytomicClient | None = None

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> PlaytomicOptionsFlow:
        """Payment methods and dry run of the account."""
        return PlaytomicOptionsFlow()

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Booking rules are subentries of the account."""
        return {SUBENTRY_BOOKING_RULE: BookingRuleSubentryFlow}

    async def _async_login(self, email: str, password: str) -> dict[str, str]:
        """Log in; on success keep the client (and its tokens) and the user id."""
        client = create_client(self.hass, {CONF_EMAIL: email, CONF_PASSWORD: password})
        try:
            await client.login()
            # docs/playtomic-api.md §11.4: a login answer without the user id is completed from the profile.
            user_id = await client.require_user_id()
        except Exception as err:
            return {"base": flow_error(err, "logging in to Playtomic")}
        self._client = client
        self._user_id = user_id
        return {}

    def _rule_client(self) -> PlaytomicClient:
        assert self._client is not None  # the user step logs in before any club step
        return self._client

    def _tokens(self) -> dict[str, Any]:
        # The client's current pair, not the login answer: it may have rotated since.
        tokens: TokenPair | None = self._rule_client().tokens
        assert tokens is not None  # a logged-in client always holds tokens
        return tokens.to_dict()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the account and test it by logging in."""
        errors: dict[str, str] = {}
        if user_input is not None:
            email = user_input[CONF_EMAIL].strip()
            errors = await self._async_login(email, user_input[CONF_PASSWORD])
            if not errors:
                await self.async_set_unique_id(self._user_id)
                self._abort_if_unique_id_configured()
                self._email = email
                self._password = user_input[CONF_PASSWORD]
                return await self.async_step_club()
        return self.async_show_form(
            step_id="user",
            data_schema=form_schema(
                self, USER_SCHEMA, {CONF_EMAIL: user_input[CONF_EMAIL]} if user_input else None
            ),
            errors=errors,
        )

    async def _async_save_rule(self, data: dict[str, Any]) -> ConfigFlowResult:
        # Another flow may have added the same account while this one was on the club steps.
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title=entry_title(self._email),
            data={
                CONF_EMAIL: self._email,
                CONF_PASSWORD: self._password,
                CONF_USER_ID: self._user_id,
                CONF_TOKENS: self._tokens(),
            },
            options={CONF_PAYMENT_METHODS: list(DEFAULT_PAYMENT_METHODS), CONF_DRY_RUN: False},
            subentries=[
                ConfigSubentryData(
                    subentry_type=SUBENTRY_BOOKING_RULE,
                    data=data,
                    title=data["name"],
                    unique_id=None,
                )
            ],
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Playtomic refused the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the password of the same account again."""
        entry = self._get_reauth_entry()
        email = entry.data[CONF_EMAIL]
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = await self._async_login(email, user_input[CONF_PASSWORD])
            if not errors:
                await self.async_set_unique_id(self._user_id)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(
                    entry,
                    data_updates={
                        CONF_PASSWORD: user_input[CONF_PASSWORD],
                        CONF_TOKENS: self._tokens(),
                    },
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=form_schema(self, REAUTH_SCHEMA, None),
            description_placeholders={CONF_EMAIL: email},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the credentials of the account (it must stay the same Playtomic user)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            email = user_input[CONF_EMAIL].strip()
            errors = await self._async_login(email, user_input[CONF_PASSWORD])
            if not errors:
                await self.async_set_unique_id(self._user_id)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(
                    entry,
                    title=entry_title(email),
                    data_updates={
                        CONF_EMAIL: email,
                        CONF_PASSWORD: user_input[CONF_PASSWORD],
                        CONF_TOKENS: self._tokens(),
                    },
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=form_schema(
                self,
                USER_SCHEMA,
                {CONF_EMAIL: user_input[CONF_EMAIL] if user_input else entry.data[CONF_EMAIL]},
            ),
            errors=errors,
        )


class PlaytomicOptionsFlow(OptionsFlow):
    """Which payment methods bookings may use, in order, and whether to stop before confirming."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The only options step."""
        errors: dict[str, str] = {}
        if user_input is not None:
            methods = list(dict.fromkeys(user_input[CONF_PAYMENT_METHODS]))
            if methods:
                return self.async_create_entry(
                    data={CONF_PAYMENT_METHODS: methods, CONF_DRY_RUN: user_input[CONF_DRY_RUN]}
                )
            errors[CONF_PAYMENT_METHODS] = "no_payment_methods"
        return self.async_show_form(
            step_id="init",
            data_schema=form_schema(
                self,
                OPTIONS_SCHEMA,
                user_input if user_input is not None else self.config_entry.options,
            ),
            errors=errors,
        )


class BookingRuleSubentryFlow(ClubRuleSteps[SubentryFlowResult], ConfigSubentryFlow):
    """Add a booking rule to an account, or edit one (its club stays)."""

    _client: PlaytomicClient | None = None

    def _rule_client(self) -> PlaytomicClient:
        # A loaded entry lends its own client: refresh tokens are single-use, so a second client
        # refreshing from the same stored pair would kill the running one's session. Otherwise
        # (e.g. not loaded after an edge block at startup) build one from the entry's data.
        if self._client is None:
            entry = self._get_entry()
            if entry.state is ConfigEntryState.LOADED:
                self._client = entry.runtime_data.client
            else:
                self._client = create_client(self.hass, entry.data, on_tokens=self._persist_tokens)
        return self._client

    @callback
    def _persist_tokens(self, tokens: TokenPair) -> None:
        """Store a rotated pair at once: the old refresh token is dead from now on."""
        entry = self._get_entry()
        self.hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_TOKENS: tokens.to_dict()}
        )

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A new rule starts with the club search."""
        return await self.async_step_club()

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Edit a rule: the same form, prefilled with the stored values."""
        subentry = self._get_reconfigure_subentry()
        if self._club is None:
            self._sport = normalize_sport_id(subentry.data.get(CONF_SPORT))
            try:
                self._club = await self._retrying_client().get_club(subentry.data[CONF_TENANT_ID])
            except Exception as err:
                return self.async_abort(reason=flow_error(err, "loading a Playtomic club"))
        return await self._async_rule_form(
            "reconfigure", user_input, rule_form_values(subentry.data, subentry.title)
        )

    def _release_at(self, tenant_id: str) -> dict[str, Any] | None:
        """A new rule at a club that has one already starts from that rule's release fields."""
        if self.source == SOURCE_RECONFIGURE:
            return None
        return release_settings(
            (subentry.data for subentry in rule_subentries(self._get_entry()).values()),
            tenant_id,
        )

    async def _async_save_rule(self, data: dict[str, Any]) -> SubentryFlowResult:
        if self.source == SOURCE_RECONFIGURE:
            # The integration rebuilds its schedulers on reload only; an edited rule must apply now.
            return self.async_update_reload_and_abort(
                self._get_entry(),
                self._get_reconfigure_subentry(),
                title=data["name"],
                data=data,
            )
        return self.async_create_entry(title=data["name"], data=data)
