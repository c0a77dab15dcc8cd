"""Erlang C (SPEC §4e): wait probability, service level, ASA, occupancy, required agents and headcount.

Erlang C is computed from Erlang B by its recursion B(0) = 1, B(k) = A·B(k−1) ÷ (k + A·B(k−1)), and
C = c·B ÷ (c − A·(1 − B)). Every step stays within [0, 1], so it neither overflows nor loses precision for
large c, where the textbook form Aᶜ/c! overflows a float near c = 170.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from csq.errors import InputRefused

# A target of 1 is never met (SL(t) < 1 for every c), so the search stops here rather than looping forever.
_MAX_EXTRA_AGENTS = 100_000


@dataclass(frozen=True)
class Staffing:
    """Erlang C at one number of agents: load A (erlangs), wait probability, service level, ASA, occupancy, headcount."""

    agents: int
    load: float
    wait_probability: float
    service_level: float
    asa_s: float
    occupancy: float | None
    headcount: float


def offered_load(calls: float, aht_s: float, interval_s: float = 1800.0) -> float:
    """Return the offered load A = λ·AHT in erlangs, λ being calls per second over the interval."""
    return calls / interval_s * aht_s


def erlang_b(load: float, agents: int) -> float:
    """Return the Erlang B blocking probability of `agents` servers offered `load` erlangs (the stable recursion)."""
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def _c_from_b(load: float, agents: int, b: float) -> float:
    """Return Erlang C from the Erlang B value of the same load and agents (agents > load)."""
    return agents * b / (agents - load * (1.0 - b))


def erlang_c(load: float, agents: int) -> float:
    """Return Pw, the probability that a call waits, for `agents` > `load`; raise InputRefused otherwise."""
    _check_stable(load, agents)
    return _c_from_b(load, agents, erlang_b(load, agents))


def _check_stable(load: float, agents: int) -> None:
    """Return nothing; raise InputRefused when the queue never empties (agents ≤ load) or the load is negative."""
    if load < 0 or not math.isfinite(load):
        raise InputRefused(f"The offered load {load} erlangs is not a load.", "Give calls and AHT of 0 or more.")
    if agents <= load and load > 0:
        raise InputRefused(f"{agents} agents cannot serve {load:.3f} erlangs: the queue grows without end.",
                           "Erlang C needs more agents than the offered load (c > A).")


def _at(load: float, agents: int, pw: float, aht_s: float, within_s: float, shrinkage: float) -> Staffing:
    """Return the Staffing figures at `agents` from its wait probability."""
    gap = agents - load
    sl = 1.0 - pw * math.exp(-gap * within_s / aht_s) if aht_s > 0 else 1.0
    return Staffing(agents, load, pw, sl, pw * aht_s / gap if aht_s > 0 else 0.0,
                    load / agents if agents else None, headcount(agents, shrinkage))


def at_agents(load: float, agents: int, aht_s: float, within_s: float = 20.0, shrinkage: float = 0.3) -> Staffing:
    """Return the Erlang C figures of `agents` agents at `load` erlangs and AHT `aht_s`."""
    _check_stable(load, agents)
    return _at(load, agents, erlang_c(load, agents) if load > 0 else 0.0, aht_s, within_s, shrinkage)


def headcount(agents: int, shrinkage: float) -> float:
    """Return the people to schedule for `agents` on the phones: c ÷ (1 − shrinkage), float noise rounded off."""
    return round(agents / (1.0 - shrinkage), 9)


def required(load: float, aht_s: float, target: float = 0.8, within_s: float = 20.0,
             shrinkage: float = 0.3) -> Staffing:
    """Return the Erlang C figures at the smallest c > A whose service level within `within_s` meets `target`.

    No load needs no agents. Erlang B is stepped from c − 1 to c, B(c) = A·B(c−1) ÷ (c + A·B(c−1)), so the
    search costs one recursion, however many agents it tries.
    """
    check_inputs(target, within_s, shrinkage)
    _check_stable(load, 1 if load == 0 else math.floor(load) + 1)
    if load == 0 or aht_s <= 0:
        return Staffing(0, 0.0, 0.0, 1.0, 0.0, None, 0.0)
    agents = math.floor(load) + 1
    b = erlang_b(load, agents)
    for _ in range(_MAX_EXTRA_AGENTS):
        result = _at(load, agents, _c_from_b(load, agents, b), aht_s, within_s, shrinkage)
        if result.service_level >= target:
            return result
        agents += 1
        b = load * b / (agents + load * b)
    raise InputRefused(f"No number of agents reaches a service level of {target}.", "Use a target below 1.")


def check_inputs(target: float, within_s: float, shrinkage: float) -> None:
    """Return nothing; raise InputRefused for a target outside (0, 1), a negative threshold or shrinkage outside [0, 1)."""
    if not 0 < target < 1:
        raise InputRefused(f"The service-level target {target} is not between 0 and 1.",
                           "Give a fraction such as 0.8 (80 %); a target of 100 % is never met under Erlang C.")
    if not within_s >= 0:
        raise InputRefused(f"The answer threshold {within_s} s is negative.", "Give seconds, e.g. 20.")
    if not 0 <= shrinkage < 1:
        raise InputRefused(f"The shrinkage {shrinkage} is not in [0, 1).", "Give a fraction such as 0.3 (30 %).")
