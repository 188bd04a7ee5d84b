"""pvfault.baseline replays test/fixtures/contracts/baseline-days.json, built from detector/baseline.ts.

Ratios are sums and quotients of the series: within a relative 1e-6 (numpy sums pairwise,
V8 in order). Stored ratios are float32: within one float32 ulp. Gains are medians of
stored ratios: exact, given the same stored ratios.
"""
import json
from datetime import date, timedelta
import os

import numpy as np
import pytest

from conftest import FIXTURES
from pvfault import baseline, windows


@pytest.fixture(scope="module")
def fixture():
    with open(os.path.join(FIXTURES, "contracts", "baseline-days.json"), encoding="utf-8") as f:
        return json.load(f)


def _silver(s):
    row = dict(s)
    for c in windows.CHANNELS:
        row[c] = np.array([np.nan if v is None else v for v in s[c]], dtype=np.float32)
    row["quality"] = np.array(s["quality"], dtype=np.int32)
    return row


def _within_float32_ulp(actual, expected, label):
    a, e = np.float32(actual), np.float32(expected)
    assert abs(float(a) - float(e)) <= float(np.spacing(np.abs(e))), "%s: %r against %r" % (label, actual, expected)


def test_the_fixture_was_built_with_this_contract(fixture):
    c = fixture["contract"]
    assert (c["minIrradiance"], c["minWindows"], c["maxDays"], c["minGain"], c["maxGain"], c["maxAgeDays"]) == (
        baseline.MIN_IRRADIANCE, baseline.MIN_WINDOWS, baseline.MAX_DAYS, baseline.MIN_GAIN, baseline.MAX_GAIN, baseline.MAX_AGE_DAYS)


def test_medians(fixture):
    for case in fixture["medians"]:
        assert baseline.median(case["values"]) == case["median"], case


def test_day_ratios_from_the_gap_filled_channels_and_windows(fixture):
    assert len(fixture["dayRatios"]) >= 4
    for case in fixture["dayRatios"]:
        row = _silver(case["silver"])
        ws = windows.windows_of(row)
        assert [w[3] for w in ws] == case["skipReasons"], case["name"]
        # of current per unit of the case's design (every other case another design's)
        got = baseline.day_ratio(windows.filled_channels(row), ws, windows.PerUnit(**case["perUnit"]))
        if case["ratio"] is None:
            assert got is None, case["name"]
        else:
            assert got == pytest.approx(case["ratio"], rel=1e-6, abs=0), case["name"]


def test_gains_are_exact_from_the_same_stored_ratios(fixture):
    for case in fixture["gains"]:
        assert baseline.gain_of(case["ratios"]) == case["gain"], case


def _check_rows(got, expected, label):
    assert [r["deviceId"] for r in got] == [r["deviceId"] for r in expected], label
    for g, e in zip(got, expected):
        where = "%s %s" % (label, e["deviceId"])
        assert len(g["ratios"]) == len(e["ratios"]), where
        for a, b in zip(g["ratios"], e["ratios"]):
            _within_float32_ulp(a, b, where + " ratios")
        for key in ("lastHealthyDate", "dayVerdict", "dayAlarmSinceMs", "dayAlarmOnsetMs", "dayAlarmRaisedMs"):
            assert g[key] == e[key], "%s %s" % (where, key)
        for key in ("gain", "fleetRatio"):
            assert (g[key] is None) == (e[key] is None), "%s %s" % (where, key)
            if e[key] is not None:
                assert g[key] == pytest.approx(e[key], rel=1e-6, abs=0), "%s %s" % (where, key)
        assert (g["dayRatio"] is None) == (e["dayRatio"] is None), where + " dayRatio"
        if e["dayRatio"] is not None:
            _within_float32_ulp(g["dayRatio"], e["dayRatio"], where + " dayRatio")


def _today(day):
    return {d: (v["ratio"], v["verdict"], v.get("standing"), v.get("sinceMs"), v.get("onsetMs"), v.get("raisedMs")) for d, v in day["today"].items()}


def test_each_days_baseline_from_the_previous_days_stored_rows(fixture):
    previous = {}
    for day in fixture["days"]:
        got = baseline.next_baseline(previous, _today(day), day["date"])
        _check_rows(got, day["rows"], day["date"])
        # from the same stored ratios the gains are the same numbers, not merely close
        assert [r["gain"] for r in got] == [r["gain"] for r in day["rows"]], day["date"]
        following = (date.fromisoformat(day["date"]) + timedelta(days=1)).isoformat()
        for r in day["rows"]:
            ref = baseline.reference_of(r, baseline_date=day["date"], date=following)
            expected = day["references"][r["deviceId"]]
            assert (ref.gain, ref.days, ref.carried, ref.carried_since) == (expected["gain"], expected["days"], expected["carried"], expected["carriedSinceMs"]), (day["date"], r["deviceId"])
            recurring = expected["recurring"]
            assert ref.recurring == (None if recurring is None else (recurring["label"], recurring["fromMs"], recurring["toMs"])), (day["date"], r["deviceId"])
        previous = {r["deviceId"]: r for r in day["rows"]}


def test_the_baseline_chained_over_the_days_stays_on_the_typescripts(fixture):
    previous = {}
    for day in fixture["days"]:
        got = baseline.next_baseline(previous, _today(day), day["date"])
        _check_rows(got, day["rows"], "chained " + day["date"])
        previous = {r["deviceId"]: r for r in got}


def test_no_history_and_the_dates_a_day_reads(fixture):
    none = fixture["referenceOfNone"]
    assert (baseline.reference_of(None).gain, baseline.reference_of(None).days) == (none["gain"], none["days"])
    # without history the device is still judged as its design: the default design's unless given
    assert baseline.reference_of(None).per_unit._asdict() == none["perUnit"]
    assert baseline.NO_HISTORY.per_unit == windows.DEFAULT_PER_UNIT
    other = windows.PerUnit(691.2, 8.92, 0.0032)
    assert baseline.reference_of(None, other) == baseline.Reference(None, 0, other)
    assert baseline.reference_of({"ratios": [1.0], "gain": 1.0}, other) == baseline.Reference(1.0, 1, other)
    assert baseline.reference_of({"ratios": [], "gain": None}) == baseline.NO_HISTORY
    for case in fixture["datesBefore"]:
        assert baseline.baseline_dates_before(case["date"]) == case["dates"], case["date"]


def test_stored_ratios_are_float32_and_the_oldest_drops():
    today = {"PV-%d" % i: (0.009 + i * 1e-5, "normal", None, None, None, None) for i in range(3)}
    previous = {}
    for k in range(baseline.MAX_DAYS + 2):
        rows = baseline.next_baseline(previous, today, "2026-07-%02d" % (k + 1))
        previous = {r["deviceId"]: r for r in rows}
    r = previous["PV-0"]
    assert len(r["ratios"]) == baseline.MAX_DAYS and r["lastHealthyDate"] == "2026-07-%02d" % (baseline.MAX_DAYS + 2)
    assert all(float(np.float32(q)) == q for q in r["ratios"])


def test_a_broadcast_reference_judged_as_the_devices_design():
    other = windows.PerUnit(691.2, 8.92, 0.0032)
    assert baseline.judged_as(None, other) == baseline.Reference(None, 0, other)
    assert baseline.judged_as(tuple(baseline.reference_of({"ratios": [1.0, 0.98], "gain": 0.99})), other) == baseline.Reference(0.99, 2, other)


def test_the_fixture_carries_an_alarm_that_stood_and_not_one_that_fell(fixture):
    carried = {(day["date"], d): ref["carried"] for day in fixture["days"] for d, ref in day["references"].items() if ref["carried"]}
    # PV-B's arc fault stood at 1.75 of its threshold at the end of its first alarmed day, 0.5 at the second's;
    # PV-H's shadow had passed by the end of its first day, stood at 1.2 at the second's
    assert carried == {("2026-06-27", "PV-B"): "arc_fault", ("2026-07-01", "PV-H"): "partial_shading"}


def test_the_fixture_re_arms_a_shadow_where_it_was_the_day_before_and_an_arc_all_day(fixture):
    recurring = {(day["date"], d): ref["recurring"] for day in fixture["days"] for d, ref in day["references"].items() if ref["recurring"]}
    # PV-H's two shadows, whether or not they stood at the day's end, and PV-B's two arc days (alarms.recur anyTime)
    assert sorted(recurring) == [("2026-06-27", "PV-B"), ("2026-06-28", "PV-B"), ("2026-06-30", "PV-H"), ("2026-07-01", "PV-H")]
    for (date, device), r in recurring.items():
        row = next(x for d in fixture["days"] if d["date"] == date for x in d["rows"] if x["deviceId"] == device)
        if device == "PV-H":
            assert r["label"] == "partial_shading"
            assert r["fromMs"] == row["dayAlarmOnsetMs"] + 86400000 - 1280000 and r["toMs"] == row["dayAlarmRaisedMs"] + 86400000 + 1280000, date
        else:
            # from the arc's raise to 48 h after it: every window of the next day
            assert r["label"] == "arc_fault"
            assert r["fromMs"] == row["dayAlarmRaisedMs"] and r["toMs"] == row["dayAlarmRaisedMs"] + 2 * 86400000, date
