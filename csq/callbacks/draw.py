"""The seeded quarterly draw of SPEC §4d: per engineer, N customers, fresh ones first, none more than twice a year.

Pure: it reads no store. Each candidate's place in the draw is a hash of (seed, quarter, engineer, customer), so
the same seed gives the same plan whatever order the rows come in, and adding or removing one engineer or one
customer leaves every other engineer's order as it was.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MAX_PER_YEAR = 2   # SPEC §4d: never draw a customer more than twice in a calendar year
# Tiers, best first: not drawn earlier in the year; drawn this quarter already, for another engineer; drawn in an
# earlier quarter of the year. A later tier is used only when the earlier ones run out (the preference of §4d).
FRESH, SHARED, REPEAT = 0, 1, 2
TIER_NAMES = {FRESH: "fresh", SHARED: "shared", REPEAT: "repeat"}


@dataclass(frozen=True)
class Pick:
    """One drawn customer: the engineer, the customer, the tier it came from, and its place in the draw (1 first)."""

    agent: str
    customer_id: str
    tier: int
    place: int


def order_key(seed: int, quarter: str, agent: str, customer_id: str) -> bytes:
    """Return a candidate's place in the draw: the SHA-256 of seed, quarter, engineer and customer."""
    return hashlib.sha256(f"{seed}\x1f{quarter}\x1f{agent}\x1f{customer_id}".encode()).digest()


def draw(pools: Mapping[str, Sequence[str]], wanted: Mapping[str, int], seed: int, quarter: str, *,
         earlier: Mapping[str, int], other: Mapping[str, int],
         kept: Mapping[str, Sequence[str]] | None = None) -> dict[str, list[Pick]]:
    """Return each engineer's picks, engineers in name order, each drawn from its pool by tier, then hash order.

    `earlier`: draws per customer in the quarters of the year before this one (the preference); `other`: draws in
    every other quarter of the year, before or after (the cap of MAX_PER_YEAR). `kept`: customers an engineer keeps
    in this quarter (called before a --replace); they count as drawn this quarter and are not drawn again.
    `wanted` is how many more to draw for each engineer.
    """
    kept = kept or {}
    this_quarter: dict[str, int] = {}
    for customers in kept.values():
        for c in customers:
            this_quarter[c] = this_quarter.get(c, 0) + 1
    out: dict[str, list[Pick]] = {}
    for agent in sorted(pools):
        own = set(kept.get(agent, ()))
        ranked = []
        for c in sorted(set(pools[agent]) - own):
            if other.get(c, 0) + this_quarter.get(c, 0) >= MAX_PER_YEAR:
                continue
            tier = REPEAT if earlier.get(c, 0) else SHARED if this_quarter.get(c, 0) else FRESH
            ranked.append((tier, order_key(seed, quarter, agent, c), c))
        ranked.sort()
        picks = [Pick(agent, c, tier, i + 1) for i, (tier, _key, c) in enumerate(ranked[:max(wanted.get(agent, 0), 0)])]
        for p in picks:
            this_quarter[p.customer_id] = this_quarter.get(p.customer_id, 0) + 1
        out[agent] = picks
    return out


def spread(count: int, days: Sequence[object]) -> list[object]:
    """Return `count` days taken evenly from `days` in order (the i-th of count gets day ⌊i·len/count⌋)."""
    if not days:
        return [None] * count
    return [days[i * len(days) // count] for i in range(count)] if count else []
