from pathlib import Path

import pytest

from dialer.errors import ConfigError
from dialer.settings import Settings


def test_defaults_are_embedded() -> None:
    s = Settings.load(env={}, config_file=Path("/nonexistent.toml"))
    assert s.database_url == "sqlite:///dialer.db"
    assert s.carrier == "simulated"


def test_environment_beats_file(tmp_path: Path) -> None:
    cfg = tmp_path / "dialer.toml"
    cfg.write_text('[dialer]\ndatabase_url = "sqlite:///a.db"\ncarrier_cps = 5\n')
    s = Settings.load(env={"DIALER_DATABASE_URL": "sqlite:///b.db"}, config_file=cfg)
    assert s.database_url == "sqlite:///b.db"
    assert s.carrier_cps == 5.0


def test_bad_values_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="carrier must be one of"):
        Settings.load(env={"DIALER_CARRIER": "pigeon"})
    cfg = tmp_path / "dialer.toml"
    cfg.write_text("[dialer]\nspeed_of_light = 1\n")
    with pytest.raises(ConfigError, match="unknown setting"):
        Settings.load(env={}, config_file=cfg)
    cfg.write_text("not = [toml")
    with pytest.raises(ConfigError, match="cannot read settings file"):
        Settings.load(env={}, config_file=cfg)


def test_token_is_not_in_repr() -> None:
    assert "secret" not in repr(Settings(twilio_auth_token="secret"))
