"""The standard normal distribution, vectorised with numpy (no scipy needed)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["expected_excess", "norm_cdf", "norm_pdf"]

Floats = NDArray[np.float64]

_SQRT2 = np.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


def _erf(x: Floats) -> Floats:
    """Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7)."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    result: Floats = sign * (1.0 - poly * np.exp(-a * a))
    return result


def norm_cdf(z: Floats) -> Floats:
    """P(Z <= z) for a standard normal Z."""
    result: Floats = 0.5 * (1.0 + _erf(np.asarray(z, dtype=np.float64) / _SQRT2))
    return result


def norm_pdf(z: Floats) -> Floats:
    result: Floats = _INV_SQRT_2PI * np.exp(-0.5 * np.asarray(z, dtype=np.float64) ** 2)
    return result


def expected_excess(mean: Floats, var: Floats) -> Floats:
    """E[max(X, 0)] for X normal with ``mean`` and ``var`` (a point mass when ``var`` is 0)."""
    mean = np.asarray(mean, dtype=np.float64)
    sd = np.sqrt(np.maximum(np.asarray(var, dtype=np.float64), 0.0))
    safe = np.where(sd > 1e-12, sd, 1.0)
    z = mean / safe
    smooth = mean * norm_cdf(z) + safe * norm_pdf(z)
    result: Floats = np.where(sd > 1e-12, smooth, np.maximum(mean, 0.0))
    return result
