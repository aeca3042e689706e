"""``dialer carrier check`` for Twilio: are the credentials good and the caller IDs ours?"""

from __future__ import annotations

from dataclasses import dataclass

from dialer.carriers.twilio._config import TwilioConfig
from dialer.carriers.twilio._rest import TwilioRest
from dialer.clock import Clock
from dialer.errors import CarrierRejectedError

__all__ = ["AccountCheck", "check_account"]


@dataclass(frozen=True)
class AccountCheck:
    """What Twilio said about the account and each caller ID asked about."""

    friendly_name: str
    status: str
    usable: dict[str, bool]  # caller ID -> owned or verified on the account

    @property
    def missing(self) -> list[str]:
        return sorted(number for number, ok in self.usable.items() if not ok)


async def check_account(config: TwilioConfig, clock: Clock, caller_ids: list[str]) -> AccountCheck:
    """Fetch the account and its numbers; raise if the account is not active.

    Wrong credentials raise :class:`~dialer.errors.CarrierAuthError`.
    """
    rest = TwilioRest(config, clock)
    await rest.open()
    try:
        name, status = await rest.fetch_account()
        if status != "active":
            raise CarrierRejectedError(f"the Twilio account {config.account_sid} is {status}")
        available = await rest.caller_ids() if caller_ids else set()
    finally:
        await rest.close()
    return AccountCheck(name, status, {number: number in available for number in caller_ids})
