"""VDOT (Daniels & Gilbert, *Oxygen Power*, 1979): one number for a runner's current fitness.

Two empirical curves define it. ``oxygen_cost`` is what running at v m/min costs in
ml/kg/min; ``sustainable_fraction`` is the share of VO2max that can be held for t minutes
(the "drop-dead" curve). A race of d metres in t minutes scores cost(d/t) / fraction(t), so
one recent race places a runner on every other distance and training intensity.
"""

import math

# Outside this range the curves describe nobody: VDOT 90 is beyond every world record,
# VDOT 10 is a 5K walked in about 70 minutes.
MIN_VDOT = 10.0
MAX_VDOT = 90.0

_A, _B, _C = 0.000104, 0.182258, -4.60


def oxygen_cost(meters_per_minute: float) -> float:
    """VO2 (ml/kg/min) needed to run at this speed: -4.60 + 0.182258 v + 0.000104 v²."""
    return _C + _B * meters_per_minute + _A * meters_per_minute**2


def velocity_at(vo2: float) -> float:
    """The speed (m/min) whose oxygen cost is ``vo2``: the positive root of oxygen_cost."""
    return (-_B + math.sqrt(_B * _B - 4 * _A * (_C - vo2))) / (2 * _A)


def sustainable_fraction(minutes: float) -> float:
    """Share of VO2max held for a race of this duration: 0.8 + 0.1894393 e^(-0.012778 t) + …"""
    return (
        0.8 + 0.1894393 * math.exp(-0.012778 * minutes) + 0.2989558 * math.exp(-0.1932605 * minutes)
    )


def vdot(distance_m: float, time_ms: float) -> float:
    """The VDOT of running ``distance_m`` metres in ``time_ms`` milliseconds."""
    if not (distance_m > 0 and time_ms > 0):
        raise ValueError("vdot needs a positive distance and time")
    minutes = time_ms / 60_000
    return oxygen_cost(distance_m / minutes) / sustainable_fraction(minutes)
