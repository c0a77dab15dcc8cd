"""Numbers in `--json` output: each value rounded to a precision that fits its unit, so no float noise shows.

Every figure keeps 4 decimals in the unit the pages show it in: rates (fractions 0..1, shown as percentages)
6 decimals, minutes and hours 4, scores and points (csat mean, qa score, nps, SERVQUAL E/P/gap, scorecard
points) 4; counts are whole numbers, and the mean of counts (a control chart's centre and limits) keeps 4
decimals. A p-value keeps 4 significant digits, because it can be very small. This is finer than any page
shows (0.1 % and 0.1 min), so a figure read from the JSON formats as the page shows it; at the coarser
4 decimals for rates, about one figure in 25 would show 0.1 % off. Keys are never changed; values that are
not numbers pass through untouched.

A control chart (`spc --json`) keeps 9 decimals for its value, centre, limits and σz whatever the unit: it is
read to check the arithmetic of SPEC §4b against an independent computation, and 9 decimals still hide float
noise (about 1e-16) while staying exact to 1e-9.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from csq.metrics.indicators import INDICATORS

DECIMALS: dict[str, int] = {"rate": 6, "min": 4, "h": 4, "s": 4, "score": 4, "points": 4}
# The telephony figures keep 9 decimals, as a control chart does: they are checked against an independent
# computation from the CTI export to 1e-9 (issue 20).
KEY_DECIMALS: dict[str, int] = {k: 9 for k in ("answer_rate", "abandon_rate", "service_level", "asa_s", "aht_s")
                                 + ("callback_completion_rate", "callback_satisfaction_rate",
                                    "callback_followup_on_time_rate")}  # callbacks too: checked to 1e-9 (issue 19)
SPC_DECIMALS = 9
P_VALUE_DIGITS = 4


def _is_number(value: object) -> bool:
    """Return True for an int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def rounded(value: object, unit: str | None) -> object:
    """Return a number rounded for its unit (counts to int), anything else unchanged."""
    if not _is_number(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
        return value
    if unit == "count":
        return round(float(value))  # type: ignore[arg-type]
    places = DECIMALS.get(unit or "")
    if places is None:
        return value
    return round(float(value), places) + 0.0  # type: ignore[arg-type]  # + 0.0 turns -0.0 into 0.0


def unit_of(key: str | None) -> str | None:
    """Return an indicator's unit (count, rate, min, h, score, points), None for an unknown key."""
    ind = INDICATORS.get(key) if key else None
    return ind.unit if ind is not None else None


def significant(value: object, digits: int = P_VALUE_DIGITS) -> object:
    """Return a float rounded to a number of significant digits (e.g. a p-value), anything else unchanged."""
    if not _is_number(value) or not math.isfinite(float(value)) or value == 0:  # type: ignore[arg-type]
        return value
    x = float(value)  # type: ignore[arg-type]
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def kpi_object(row: Mapping[str, object]) -> dict[str, object]:
    """Return one `kpi --json` object with every indicator value rounded for its unit (groups and n as they are)."""
    return {k: _figure(k, v) if k in INDICATORS else v for k, v in row.items()}


def _figure(key: str, value: object) -> object:
    """Return one indicator's JSON value: a count of nothing is 0, telephony keeps 9 decimals, else per unit."""
    if value is None and unit_of(key) == "count":
        return 0   # a group without calls offered none (tickets are 0 already)
    return _fine(value, KEY_DECIMALS[key]) if key in KEY_DECIMALS else rounded(value, unit_of(key))


def _fine(value: object, places: int) -> object:
    """Return a number rounded to `places` decimals, anything else (None) unchanged."""
    return round(float(value), places) + 0.0 if _is_number(value) and math.isfinite(float(value)) else value  # type: ignore[arg-type]


def spc_objects(points: Iterable[Mapping[str, object]], key: str) -> list[dict[str, object]]:
    """Return `spc --json` objects with value, center, limits and σz to SPC_DECIMALS (counts stay whole)."""
    unit = unit_of(key)
    out = []
    for p in points:
        o = dict(p)
        value = o.get("value")
        o["value"] = rounded(value, "count") if unit == "count" else _places(value, SPC_DECIMALS)
        for k in ("center", "lcl", "ucl", "sigma_z"):
            if k in o:
                o[k] = _places(o[k], SPC_DECIMALS)  # a mean of counts has decimals
        out.append(o)
    return out


def _places(value: object, places: int) -> object:
    """Return a number rounded to `places` decimals (never -0.0), anything else unchanged."""
    if not _is_number(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
        return value
    return round(float(value), places) + 0.0  # type: ignore[arg-type]


def servqual_object(result: Mapping[str, object]) -> dict[str, object]:
    """Return the `servqual --json` object with E, P and gaps to 2 decimals (a 1–7 scale)."""
    dims = [{k: rounded(v, "points") if k in ("expectation", "perception", "gap") else v for k, v in d.items()}
            for d in result.get("dimensions", [])]  # type: ignore[union-attr]
    return {k: (dims if k == "dimensions" else rounded(v, "points") if k.endswith("_gap") else v)
            for k, v in result.items()}


def scorecard_object(row: Mapping[str, object]) -> dict[str, object]:
    """Return one `scorecard --json` row: components for their unit, points, score and change to 2 decimals."""
    out: dict[str, object] = {}
    for k, v in row.items():
        if k in INDICATORS:
            out[k] = rounded(v, unit_of(k))
        elif k.startswith("points_") or k in ("score", "previous_score", "change"):
            out[k] = rounded(v, "points")
        else:
            out[k] = v
    return out


def effect_object(check: Mapping[str, object]) -> dict[str, object]:
    """Return one `actions --verify --json` object: window values (comparison's too) for the unit, p to 4 digits."""
    unit = unit_of(check.get("indicator"))  # type: ignore[arg-type]
    out = dict(check)
    for side in ("before", "after"):
        window = out.get(side)
        if isinstance(window, Mapping):
            out[side] = {**window, "value": rounded(window.get("value"), unit)}
    comparison = out.get("comparison")
    if isinstance(comparison, Mapping):  # the rest of the center's windows, rounded like the scope's
        out["comparison"] = {side: {**w, "value": rounded(w.get("value"), unit)} if isinstance(w, Mapping) else w
                             for side, w in comparison.items()}
    out["p_value"] = significant(out.get("p_value"))
    return out


def staffing_object(row: Mapping[str, object]) -> dict[str, object]:
    """Return one `staffing --json` object: rates and seconds to 9 decimals (checked against Erlang C), counts as they are."""
    return {k: _fine(v, 9) if k not in ("weekday", "interval", "agents") else v for k, v in row.items()}
