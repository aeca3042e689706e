"""Twilio's REST API through the official asyncio client: the only module that calls it."""

from __future__ import annotations

from typing import Any

from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from dialer.carriers.twilio._config import TwilioConfig
from dialer.carriers.twilio._retry import CREATE_POLICY, SAFE_POLICY, Edge, call_twilio
from dialer.clock import Clock
from dialer.errors import CarrierError

__all__ = ["LIVE_STATUSES", "TwilioRest"]

#: Call statuses of calls still up (or about to be) at Twilio.
LIVE_STATUSES = ("queued", "ringing", "in-progress")


class TwilioRest:
    """A thin, typed facade over ``twilio.rest.Client`` with our timeouts, retries and errors.

    :meth:`open` must run inside the event loop (aiohttp sessions belong to a loop);
    :meth:`close` releases the connection pool.
    """

    def __init__(self, config: TwilioConfig, clock: Clock) -> None:
        self._config = config
        self._edge = Edge(
            clock=clock,
            timeout_s=config.request_timeout_s,
            max_attempts=config.max_attempts,
            backoff_base_s=config.backoff_base_s,
            backoff_max_s=config.backoff_max_s,
        )
        self._http: AsyncTwilioHttpClient | None = None
        self._client: Any = None

    async def open(self) -> None:
        if self._client is not None:
            return
        self._http = AsyncTwilioHttpClient()
        client = Client(
            self._config.account_sid,
            self._config.auth_token,
            http_client=self._http,
            environment={},
        )
        if self._config.api_base:
            client.api.base_url = self._config.api_base.rstrip("/")
        self._client = client

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
        self._http = None
        self._client = None

    @property
    def client(self) -> Any:
        if self._client is None:
            raise CarrierError("the Twilio carrier is not started")
        return self._client

    async def create_call(self, what: str, **params: Any) -> str:
        """Create a call (``calls.create_async``); return its SID."""
        call = await call_twilio(
            lambda: self.client.calls.create_async(**params),
            what=what,
            edge=self._edge,
            policy=CREATE_POLICY,
        )
        return str(call.sid)

    async def update_call(self, sid: str, what: str, **params: Any) -> str:
        """Update a call (new TwiML, or a status to end it); return its status."""
        call = await call_twilio(
            lambda: self.client.calls(sid).update_async(**params),
            what=what,
            edge=self._edge,
            policy=SAFE_POLICY,
        )
        return str(call.status)

    async def fetch_account(self) -> tuple[str, str]:
        """The account's friendly name and status (``active``, ``suspended``, ``closed``)."""
        sid = self._config.account_sid
        account = await call_twilio(
            lambda: self.client.api.v2010.accounts(sid).fetch_async(),
            what="fetching the Twilio account",
            edge=self._edge,
            policy=SAFE_POLICY,
        )
        return str(account.friendly_name), str(account.status)

    async def caller_ids(self) -> set[str]:
        """Numbers the account may call from: its own numbers and verified caller IDs."""
        owned = await call_twilio(
            lambda: self.client.incoming_phone_numbers.list_async(),
            what="listing incoming phone numbers",
            edge=self._edge,
            policy=SAFE_POLICY,
        )
        verified = await call_twilio(
            lambda: self.client.outgoing_caller_ids.list_async(),
            what="listing outgoing caller IDs",
            edge=self._edge,
            policy=SAFE_POLICY,
        )
        return {str(n.phone_number) for n in [*owned, *verified]}

    async def live_calls(self) -> list[str]:
        """SIDs of the account's calls that are queued, ringing or in progress."""
        sids: list[str] = []
        for status in LIVE_STATUSES:
            sids.extend(await self._calls_in(status))
        return sids

    async def _calls_in(self, status: str) -> list[str]:
        calls = await call_twilio(
            lambda: self.client.calls.list_async(status=status),
            what=f"listing {status} calls",
            edge=self._edge,
            policy=SAFE_POLICY,
        )
        return [str(call.sid) for call in calls]
