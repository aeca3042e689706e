"""The simulated world: the embedded default telephony, and what simulated agents need.

``SimulatedCarrier(clock, load_world("high"), seed=7)`` is a carrier whose callees follow the
pacing benchmark's world (``world.yaml``); each callee's fate is fixed per (seed, number, attempt).
"""

from dialer.carriers.simulated.carrier import SimulatedCarrier
from dialer.carriers.simulated.distributions import Distribution, Fixed, LogNormal, Uniform
from dialer.carriers.simulated.fate import AfterCall, Fate, FateDrawer
from dialer.carriers.simulated.mix import ContactSchedule, Outcome, OutcomeMix
from dialer.carriers.simulated.world import AgentParams, Breaks, World, load_world

__all__ = [
    "AfterCall",
    "AgentParams",
    "Breaks",
    "ContactSchedule",
    "Distribution",
    "Fate",
    "FateDrawer",
    "Fixed",
    "LogNormal",
    "Outcome",
    "OutcomeMix",
    "SimulatedCarrier",
    "Uniform",
    "World",
    "load_world",
]
