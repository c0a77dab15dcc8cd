"""Erlang C (SPEC §4e) against the spec's reference case, published figures and an exact computation."""
from __future__ import annotations

import math

import mpmath
import pytest

from csq.errors import InputRefused
from csq.telephony.erlang import at_agents, erlang_b, erlang_c, offered_load, required


def _exact_c(load: int, agents: int) -> mpmath.mpf:
    """Erlang C by the textbook formula of SPEC §4e in 60-digit arithmetic: an independent check."""
    with mpmath.workdps(60):
        a, c = mpmath.mpf(load), agents
        top = a ** c / mpmath.factorial(c) * c / (c - a)
        return top / (mpmath.fsum(a ** k / mpmath.factorial(k) for k in range(c)) + top)


def test_the_reference_case_of_spec_4e() -> None:
    # SPEC §4e: 100 calls in 30 min, AHT 180 s, 14 agents -> A = 10, Pw = 0.1741, SL(20 s) = 0.888,
    # ASA ≈ 7.8 s, occupancy 0.714 (the callcentrehelper.com worked example, which SPEC cites by its figures).
    load = offered_load(100, 180, 1800)
    assert load == 10
    r = at_agents(load, 14, 180, within_s=20, shrinkage=0.3)
    assert round(r.wait_probability, 4) == 0.1741
    assert round(r.service_level, 3) == 0.888
    assert round(r.asa_s, 1) == 7.8
    assert round(r.occupancy, 3) == 0.714
    assert r.headcount == 20  # 14 ÷ (1 − 0.3)
    best = required(load, 180, target=0.8, within_s=20, shrinkage=0.3)
    assert best.agents == 14 and best.headcount == 20
    assert at_agents(load, 13, 180).service_level < 0.8  # so 14 is the smallest c meeting 80/20


def test_pyworkforce_erlangc_published_cases() -> None:
    # pyworkforce (rodrigo-arenas/pyworkforce, pyworkforce/queuing/tests/test_erlang.py, commit 04edd6a):
    # transactions=100, aht=3 min, interval=30 min, asa=0.33 min (19.8 s):
    #   14 positions -> service_level 0.888, occupancy 0.714, waiting_probability 0.174, 20 with shrinkage 0.3
    #   15 positions -> service_level 0.941, occupancy 0.667, waiting_probability 0.102
    r14, r15 = at_agents(10, 14, 180, within_s=19.8), at_agents(10, 15, 180, within_s=19.8)
    assert (round(r14.service_level, 3), round(r14.occupancy, 3), round(r14.wait_probability, 3)) == (0.888, 0.714, 0.174)
    assert (round(r15.service_level, 3), round(r15.occupancy, 3), round(r15.wait_probability, 3)) == (0.941, 0.667, 0.102)


def test_a_case_checked_by_hand() -> None:
    # A = 2, c = 3 (Wolfram's ErlangC[3, 2] example): B = 4/19, so C = 3·(4/19) ÷ (3 − 2·15/19) = 4/9.
    assert erlang_b(2, 3) == pytest.approx(4 / 19, rel=1e-12)
    assert erlang_c(2, 3) == pytest.approx(4 / 9, rel=1e-12)


def test_erlang_b_matches_the_published_table() -> None:
    # The published Erlang B table (e.g. Iversen, "Teletraffic Engineering and Network Planning", ITU-D
    # handbook, table of Erlang's B-formula): 1 % blocking is reached at 4.461 erlangs with 10 lines and at 12.031 erlangs with 20 lines.
    assert erlang_b(4.461, 10) == pytest.approx(0.01, abs=2e-5)
    assert erlang_b(12.031, 20) == pytest.approx(0.01, abs=2e-5)


@pytest.mark.parametrize(("load", "agents"), [(10, 14), (10, 11), (50, 55), (170, 180), (900, 911), (900, 960)])
def test_the_recursion_equals_the_exact_formula(load: int, agents: int) -> None:
    assert erlang_c(load, agents) == pytest.approx(float(_exact_c(load, agents)), rel=1e-10)


def test_large_loads_do_not_overflow() -> None:
    # A^c / c! overflows a float for c > 170; the recursion does not.
    r = required(900, 180, target=0.8, within_s=20)
    assert r.agents > 900 and 0.8 <= r.service_level < 1 and math.isfinite(r.asa_s)
    assert at_agents(900, r.agents - 1, 180).service_level < 0.8
    assert r.wait_probability == pytest.approx(float(_exact_c(900, r.agents)), rel=1e-10)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(InputRefused):
        erlang_c(10, 10)  # c must exceed A
    with pytest.raises(InputRefused):
        required(10, 180, target=1.0)
    with pytest.raises(InputRefused):
        required(10, 180, shrinkage=1.0)
    assert required(0, 180).agents == 0
