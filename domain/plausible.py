"""How fast and how slow a rep of a given distance can be run, to catch typos in splits.

A split outside these bounds is a slip (``20`` for ``2:00``, splits in the wrong order),
and refusing it keeps it out of averages and personal bests.

* **Fastest:** men's outdoor world-record pace, 5 % faster still (hand timing, a lap a
  little short). Between record distances the time is interpolated on log-log scales (a
  power law, as in Riegel's formula), which follows how pace falls off with distance.
  Below 100 m the bound is a flying sprint at 12.5 m/s, above Usain Bolt's measured top
  speed (about 12.4 m/s, Berlin 2009); beyond the marathon, marathon-record pace.
* **Slowest:** a walk at 20 min/km (3 km/h).
"""

import math
from itertools import pairwise

MARGIN = 0.05
PEAK_SPEED_M_PER_S = 12.5
SLOWEST_MS_PER_KM = 20 * 60 * 1000

# World records (men, outdoor, ratified), as (metres, seconds), from World Athletics:
WORLD_RECORDS: tuple[tuple[float, float], ...] = (
    (100, 9.58),  # Usain Bolt, Berlin 2009
    (200, 19.19),  # Usain Bolt, Berlin 2009
    (400, 43.03),  # Wayde van Niekerk, Rio de Janeiro 2016
    (800, 100.91),  # David Rudisha, London 2012 (1:40.91)
    (1000, 131.96),  # Noah Ngeny, Rieti 1999 (2:11.96)
    (1500, 206.00),  # Hicham El Guerrouj, Rome 1998 (3:26.00)
    (1609.344, 223.13),  # Hicham El Guerrouj, Rome 1999 (mile, 3:43.13)
    (2000, 283.13),  # Jakob Ingebrigtsen, Paris 2023 (4:43.13)
    (3000, 437.55),  # Jakob Ingebrigtsen, Chorzów 2024 (7:17.55)
    (5000, 755.36),  # Joshua Cheptegei, Monaco 2020 (12:35.36)
    (10000, 1571.00),  # Joshua Cheptegei, Valencia 2020 (26:11.00)
    (21097.5, 3450),  # Yomif Kejelcha, Valencia 2024 (half marathon, 57:30)
    (42195, 7235),  # Kelvin Kiptum, Chicago 2023 (marathon, 2:00:35)
)


def fastest_ms(distance_m: float) -> int:
    """The quickest believable time for ``distance_m`` metres: anything faster is a slip."""
    if distance_m < WORLD_RECORDS[0][0]:
        return math.floor(distance_m / PEAK_SPEED_M_PER_S * 1000)
    return math.floor(_record_seconds(distance_m) * (1 - MARGIN) * 1000)


def slowest_ms(distance_m: float) -> int:
    """The slowest believable time: walking pace; anything slower is a slip."""
    return math.ceil(distance_m * SLOWEST_MS_PER_KM / 1000)


def _record_seconds(distance_m: float) -> float:
    """World-record time for any distance from 100 m, interpolated between records."""
    for (short_m, short_s), (long_m, long_s) in pairwise(WORLD_RECORDS):
        if distance_m <= long_m:
            exponent = math.log(long_s / short_s) / math.log(long_m / short_m)
            return short_s * math.pow(distance_m / short_m, exponent)
    last_m, last_s = WORLD_RECORDS[-1]
    return last_s * distance_m / last_m
