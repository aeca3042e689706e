"""Build a pacer by the campaign's dial mode name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dialer.errors import InputError
from pacing.api import Pacer
from pacing.power import PowerPacer
from pacing.predictive import PredictivePacer
from pacing.preview import PreviewPacer
from pacing.progressive import ProgressivePacer

__all__ = ["MODES", "make_pacer"]

MODES: dict[str, Callable[..., Pacer]] = {
    "preview": PreviewPacer,
    "progressive": ProgressivePacer,
    "power": PowerPacer,
    "predictive": PredictivePacer,
}


def make_pacer(mode: str, **params: Any) -> Pacer:
    """A new pacer for ``mode`` (``preview``, ``progressive``, ``power``, ``predictive``).

    ``params`` are the mode's own settings (e.g. ``lines_per_agent`` for power). Raises
    :class:`InputError` for an unknown mode or setting.
    """
    factory = MODES.get(mode)
    if factory is None:
        raise InputError(f"unknown dial mode {mode!r} (known: {', '.join(sorted(MODES))})")
    try:
        return factory(**params)
    except TypeError as exc:
        raise InputError(f"bad settings for dial mode {mode!r}: {exc}") from exc
