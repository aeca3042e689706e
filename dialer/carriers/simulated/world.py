"""The simulated world's parameters, read from ``world.yaml`` (see that file for the sources).

``load_world(contact="high")`` gives the base world of the pacing benchmark; ``contact="low"``
the low-contact list; ``variants=("drift", "imperfect_amd", ...)`` merges the named variants of the
YAML over the base, one change each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dialer.carriers.simulated.distributions import Distribution, parse_distribution
from dialer.carriers.simulated.mix import ContactSchedule, OutcomeMix
from dialer.errors import ConfigError

__all__ = [
    "AgentParams",
    "AmdParams",
    "Breaks",
    "LiveParams",
    "MachineParams",
    "MessageParams",
    "UnreachableParams",
    "World",
    "load_world",
]


@dataclass(frozen=True, slots=True)
class LiveParams:
    ring_s: Distribution
    greeting_s: Distribution
    silence_patience_s: Distribution
    talk_s: Distribution


@dataclass(frozen=True, slots=True)
class MachineParams:
    ring_s: Distribution
    detection_s: Distribution
    silence_hangup_s: Distribution
    bridged_talk_s: Distribution


@dataclass(frozen=True, slots=True)
class UnreachableParams:
    release_s: Distribution
    busy_share: float


@dataclass(frozen=True, slots=True)
class AmdParams:
    machine_as_human: float
    human_as_machine: float


@dataclass(frozen=True, slots=True)
class MessageParams:
    words_per_s: float
    min_s: float
    opt_out_probability: float
    opt_out_digits: str

    def duration_s(self, message: str) -> float:
        """How long ``message`` takes to play."""
        return max(self.min_s, len(message.split()) / self.words_per_s)


@dataclass(frozen=True, slots=True)
class Breaks:
    every_s: float
    length_s: float


@dataclass(frozen=True, slots=True)
class AgentParams:
    wrap_up_s: Distribution
    dispositions: tuple[tuple[str, float], ...]  # (name, share), shares sum to 1
    breaks: Breaks | None


@dataclass(frozen=True, slots=True)
class World:
    """Everything the simulated carrier and simulated agents draw from."""

    contact: str
    variants: tuple[str, ...]
    source: str
    post_dial_s: Distribution
    schedule: ContactSchedule
    live: LiveParams
    machine: MachineParams
    unreachable: UnreachableParams
    amd: AmdParams
    message: MessageParams
    agents: AgentParams
    abandon_cap: float | None


def load_world(
    contact: str = "high", variants: Iterable[str] = (), path: Path | None = None
) -> World:
    """Read the world file (the packaged ``world.yaml`` by default) for a contact profile."""
    raw = _read(path)
    chosen = tuple(variants)
    known = _section(raw, "variants")
    for name in chosen:
        if name not in known:
            raise ConfigError(f"world: unknown variant {name!r} (known: {', '.join(known)})")
        raw = _merged(raw, known[name])
    profiles = _section(raw, "contact")
    if contact not in profiles:
        raise ConfigError(
            f"world: unknown contact profile {contact!r} (known: {', '.join(profiles)})"
        )
    base_mix = OutcomeMix.parse(profiles[contact], f"contact.{contact}")
    return World(
        contact=contact,
        variants=chosen,
        source=str(raw.get("source", "")),
        post_dial_s=parse_distribution(raw.get("post_dial_s"), "post_dial_s"),
        schedule=ContactSchedule.parse(raw.get("contact_schedule"), base_mix),
        live=_live(_section(raw, "live")),
        machine=_machine(_section(raw, "machine")),
        unreachable=_unreachable(_section(raw, "unreachable")),
        amd=_amd(_section(raw, "amd")),
        message=_message(_section(raw, "message")),
        agents=_agents(_section(raw, "agents")),
        abandon_cap=_optional_share(raw.get("abandon_cap"), "abandon_cap"),
    )


def _read(path: Path | None) -> dict[str, Any]:
    try:
        if path is None:
            text = resources.files(__package__).joinpath("world.yaml").read_text("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"world: cannot read the world file: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError("world: the world file must be a mapping")
    return data


def _merged(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` merged in, mappings recursively."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _section(raw: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = raw.get(name)
    if not isinstance(section, Mapping):
        raise ConfigError(f"world: section {name!r} is missing or not a mapping")
    return section


def _dists(raw: Mapping[str, Any], prefix: str, *names: str) -> list[Distribution]:
    return [parse_distribution(raw.get(name), f"{prefix}.{name}") for name in names]


def _live(raw: Mapping[str, Any]) -> LiveParams:
    return LiveParams(*_dists(raw, "live", "ring_s", "greeting_s", "silence_patience_s", "talk_s"))


def _machine(raw: Mapping[str, Any]) -> MachineParams:
    names = ("ring_s", "detection_s", "silence_hangup_s", "bridged_talk_s")
    return MachineParams(*_dists(raw, "machine", *names))


def _unreachable(raw: Mapping[str, Any]) -> UnreachableParams:
    (release,) = _dists(raw, "unreachable", "release_s")
    return UnreachableParams(release, _share(raw.get("busy_share"), "unreachable.busy_share"))


def _amd(raw: Mapping[str, Any]) -> AmdParams:
    return AmdParams(
        _share(raw.get("machine_as_human"), "amd.machine_as_human"),
        _share(raw.get("human_as_machine"), "amd.human_as_machine"),
    )


def _message(raw: Mapping[str, Any]) -> MessageParams:
    words_per_s = _number(raw.get("words_per_s"), "message.words_per_s")
    if words_per_s <= 0:
        raise ConfigError("world: message.words_per_s must be positive")
    return MessageParams(
        words_per_s=words_per_s,
        min_s=_number(raw.get("min_s"), "message.min_s"),
        opt_out_probability=_share(raw.get("opt_out_probability"), "message.opt_out_probability"),
        opt_out_digits=str(raw.get("opt_out_digits", "")),
    )


def _agents(raw: Mapping[str, Any]) -> AgentParams:
    (wrap_up,) = _dists(raw, "agents", "wrap_up_s")
    shares = raw.get("dispositions")
    if not isinstance(shares, Mapping) or not shares:
        raise ConfigError("world: agents.dispositions must map disposition names to shares")
    dispositions = tuple(
        (str(name), _share(share, f"agents.dispositions.{name}")) for name, share in shares.items()
    )
    if abs(sum(share for _, share in dispositions) - 1) > 1e-6:
        raise ConfigError("world: agents.dispositions shares must sum to 1")
    return AgentParams(wrap_up, dispositions, _breaks(raw.get("breaks")))


def _breaks(raw: Any) -> Breaks | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ConfigError("world: agents.breaks must be null or {every_s, length_s}")
    breaks = Breaks(
        _number(raw.get("every_s"), "agents.breaks.every_s"),
        _number(raw.get("length_s"), "agents.breaks.length_s"),
    )
    if not 0 < breaks.length_s < breaks.every_s:
        raise ConfigError("world: agents.breaks needs 0 < length_s < every_s")
    return breaks


def _number(raw: Any, name: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw < 0:
        raise ConfigError(f"world: {name} must be a non-negative number, not {raw!r}")
    return float(raw)


def _share(raw: Any, name: str) -> float:
    value = _number(raw, name)
    if value > 1:
        raise ConfigError(f"world: {name} must be a share within [0, 1], not {raw!r}")
    return value


def _optional_share(raw: Any, name: str) -> float | None:
    return None if raw is None else _share(raw, name)
