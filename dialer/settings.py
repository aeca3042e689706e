"""Settings: environment variables plus an optional ``dialer.toml``; passed in, never global.

Precedence (highest first): environment variables ``DIALER_*`` / ``TWILIO_*``, then the TOML file
(``DIALER_CONFIG`` or ``./dialer.toml``), then defaults.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from dialer.errors import ConfigError

__all__ = ["Settings"]

DEFAULT_DB_FILE = "dialer.db"

_ENV_NAMES: dict[str, str] = {
    "database_url": "DIALER_DATABASE_URL",
    "carrier": "DIALER_CARRIER",
    "data_dir": "DIALER_DATA_DIR",
    "public_url": "DIALER_PUBLIC_URL",
    "twilio_account_sid": "TWILIO_ACCOUNT_SID",
    "twilio_auth_token": "TWILIO_AUTH_TOKEN",
    "twilio_api_base": "DIALER_TWILIO_API_BASE",
    "twilio_agent_caller_id": "DIALER_TWILIO_AGENT_CALLER_ID",
    "carrier_cps": "DIALER_CARRIER_CPS",
    "web_listen": "DIALER_WEB_LISTEN",
    "dialer_id": "DIALER_ID",
}
_CARRIERS = ("simulated", "twilio")


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Build it with :meth:`load`; tests build it directly."""

    database_url: str = f"sqlite:///{DEFAULT_DB_FILE}"
    carrier: str = "simulated"
    data_dir: Path = field(default_factory=lambda: Path("dialer-data"))
    public_url: str = ""
    twilio_account_sid: str = ""
    twilio_auth_token: str = field(default="", repr=False)
    twilio_api_base: str = ""
    twilio_agent_caller_id: str = ""
    carrier_cps: float = 1.0
    dialer_id: str = ""
    web_listen: str = "127.0.0.1:8000"  # host:port of the webhook server (Twilio)

    def __post_init__(self) -> None:
        if self.carrier not in _CARRIERS:
            raise ConfigError(
                f"carrier must be one of {', '.join(_CARRIERS)}, not {self.carrier!r}"
            )
        if self.carrier_cps <= 0:
            raise ConfigError(f"carrier_cps must be positive, not {self.carrier_cps}")

    @classmethod
    def load(
        cls, env: Mapping[str, str] | None = None, config_file: Path | None = None
    ) -> Settings:
        """Read the TOML file (if any) and the environment into a new ``Settings``."""
        env = os.environ if env is None else env
        path = config_file or Path(env.get("DIALER_CONFIG", "dialer.toml"))
        values: dict[str, object] = {}
        if path.is_file():
            values.update(_read_toml(path))
        for name, var in _ENV_NAMES.items():
            if env.get(var):
                values[name] = env[var]
        return cls()._with(values)

    def _with(self, values: Mapping[str, object]) -> Settings:
        known = {f.name: f for f in fields(self)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        converted: dict[str, object] = {}
        for name, raw in values.items():
            converted[name] = _convert(name, raw, getattr(self, name))
        return replace(self, **converted)  # type: ignore[arg-type]


def _read_toml(path: Path) -> dict[str, object]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read settings file {path}: {exc}") from exc
    section = data.get("dialer", data)
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [dialer] must be a table")
    return dict(section)


def _convert(name: str, raw: object, default: object) -> object:
    try:
        if isinstance(default, Path):
            return Path(str(raw))
        if isinstance(default, float):
            return float(str(raw))
        return str(raw)
    except ValueError as exc:
        raise ConfigError(f"setting {name}: {raw!r} is not a valid value") from exc
