"""The plant gate (contracts/detector.json alarms.plantGate) on the Spark side replays
test/fixtures/contracts/plant-gate-cases.json, built from detector/alarms.ts and detector/gold.ts.

Per case: each device's gold window rows (pvfault.gold.window_rows), the plant-day's slots
(pvfault.alarms.plant_slots: what the predict job's Spark aggregation computes), the plant
events (plant_events), and each device's gold_daily row decided with them (gold.daily_row).
Starts, counts, labels and verdicts exactly; floats (evidence: sums of logarithms, V8's
against libm's; confidences) within a relative 1e-9.
"""
import json
import math
import os

import pytest

from conftest import FIXTURES
from pvfault import alarms, baseline, gold

REL = 1e-9


@pytest.fixture(scope="module")
def fixture():
    with open(os.path.join(FIXTURES, "contracts", "plant-gate-cases.json"), encoding="utf-8") as f:
        return json.load(f)


def _window_rows(fixture, device):
    windows = [(w["index"], w["startMs"], w["endMs"], w["skipReason"]) for w in device["windows"]]
    return gold.window_rows(device["deviceId"], windows, device["probs"], fixture["modelVersion"])


def _gate(fixture, case):
    rows = {d["deviceId"]: _window_rows(fixture, d) for d in case["devices"]}
    slots = alarms.plant_slots([r for device_rows in rows.values() for r in device_rows])
    return rows, slots, alarms.plant_events(slots)


def _reference(case, device_id):
    """No history, with the alarm the fixture's device carries in from the day before (alarms.carry) and the
    label it re-arms where that day's alarm was (alarms.recur)."""
    device = next(d for d in case["devices"] if d["deviceId"] == device_id)
    r = device["recurring"]
    recurring = None if r is None else alarms.Recurrence(r["label"], r["fromMs"], r["toMs"])
    return baseline.Reference(None, 0, baseline.DEFAULT_PER_UNIT, device["carried"], device["carriedSinceMs"], recurring)


FLOATS = ("alarmEvidence", "alarmConfidence", "meanConfidence", "baselineGain")
"""the gold_daily columns computed in floating point; every other column is compared exactly"""


def _same(actual, expected, where):
    assert set(actual) == set(expected), "%s: columns %s against %s" % (where, sorted(actual), sorted(expected))
    for k, e in expected.items():
        a = actual[k]
        if k in FLOATS and e is not None:
            assert a is not None and a == pytest.approx(e, rel=REL, abs=0), "%s %s: %r against %r" % (where, k, a, e)
        else:
            assert a == e, "%s %s: %r against %r" % (where, k, a, e)


def test_the_fixture_was_built_with_this_contract(fixture):
    c = fixture["contract"]
    assert (c["minShare"], c["minDevices"], c["normalBelow"]) == (
        alarms.PLANT_GATE["minShare"], alarms.PLANT_GATE["minDevices"], alarms.PLANT_GATE["normalBelow"])


def test_slots_and_plant_events_are_the_typescripts(fixture):
    for case in fixture["cases"]:
        _, slots, events = _gate(fixture, case)
        assert [{"startMs": s, "devices": d, "offNormal": o} for s, d, o in slots] == case["slots"], case["name"]
        assert sorted(events) == case["plantEvents"], case["name"]
        assert all(isinstance(e, int) for e in events)


def test_gated_daily_rows_are_the_typescripts(fixture):
    sets = {"own": fixture["thresholds"], "fleet": fixture["thresholds"]}
    raise_sets = {"own": fixture["raise"], "fleet": fixture["raise"]}
    for case in fixture["cases"]:
        rows, _, events = _gate(fixture, case)
        for expected in case["daily"]:
            device_id = expected["deviceId"]
            actual = gold.daily_row(device_id, rows[device_id], fixture["modelVersion"], sets, _reference(case, device_id), plant_events=events, raise_sets=raise_sets)
            _same(actual, expected, "%s / %s" % (case["name"][:40], device_id))


def test_without_the_gate_the_decision_is_the_ungated_one(fixture):
    sets = {"own": fixture["thresholds"], "fleet": fixture["thresholds"]}
    raise_sets = {"own": fixture["raise"], "fleet": fixture["raise"]}
    for case in fixture["cases"]:
        rows, _, _ = _gate(fixture, case)
        for expected in case["ungated"]:
            device_id = expected["deviceId"]
            actual = gold.daily_row(device_id, rows[device_id], fixture["modelVersion"], sets, _reference(case, device_id), raise_sets=raise_sets)
            assert actual["plantEventWindows"] == 0
            _same({k: actual[k] for k in expected}, expected, "%s / %s ungated" % (case["name"][:40], device_id))


def test_a_gated_window_neither_grows_nor_decays_evidence_and_does_not_break_a_run():
    t = {label: 5.0 for label in alarms.ALARM_LABELS}
    arc = [0.02, 0.02, 0.02, 0.02, 0.02, 0.9]
    normal = [0.9, 0.02, 0.02, 0.02, 0.02, 0.02]
    starts, ends = [0, 10, 20], [10, 20, 30]
    # arc, normal, arc: the normal window undoes the first arc window's evidence
    assert alarms.decide_alarm(starts, ends, [arc, normal, arc], t) is None
    a = alarms.decide_alarm(starts, ends, [arc, normal, arc], t, frozenset([10]))
    assert (a["label"], a["onsetMs"], a["raisedMs"], a["windows"]) == ("arc_fault", 0, 30, 2)
    assert a["confidence"] == pytest.approx(0.9, rel=1e-12)
    # every window gated: no alarm
    assert alarms.decide_alarm(starts, ends, [arc, arc, arc], t, frozenset(starts)) is None


def test_plant_events_rule_at_its_edges():
    g = alarms.PLANT_GATE
    n = g["minDevices"]
    half = int(n * g["minShare"])
    assert alarms.plant_events([(1, n, half)]) == frozenset([1])
    assert alarms.plant_events([(1, n, half - 1)]) == frozenset()
    assert alarms.plant_events([(1, n - 1, n - 1)]) == frozenset()


def test_a_carried_alarm_starts_at_its_threshold_share_and_is_checked():
    t = {label: 5.0 for label in alarms.ALARM_LABELS}
    dim = [0.35, 0.4, 0.1, 0.05, 0.05, 0.05]
    normal = [0.9, 0.02, 0.02, 0.02, 0.02, 0.02]
    a = alarms.decide_alarm([0, 10], [10, 20], [dim, normal], t, carried="line_line")
    assert (a["label"], a["onsetMs"], a["raisedMs"], a["windows"]) == ("line_line", 0, 10, 1)
    assert a["evidence"] == pytest.approx(5.0 * alarms.CARRY_SHARE + math.log((0.4 + 1e-4) / (0.35 + 1e-4)), rel=1e-12)
    assert alarms.decide_alarm([0, 10], [10, 20], [dim, normal], t) is None
    assert alarms.decide_alarm([0, 10], [10, 20], [normal, normal], t, carried="line_line") is None
    with pytest.raises(ValueError, match="not an alarm label"):
        alarms.decide_alarm([0], [10], [dim], t, carried="normal")


def test_a_shadow_alarmed_the_day_before_is_re_armed_where_it_was():
    """alarms.recur as detector/alarms.ts recurrenceAfter and recurringAlarm (test/detector/alarms.test.ts holds the same)."""
    day, window = 86400000, 64 * 20000
    assert alarms.recurrence_after("partial_shading", 1000000, 2000000) == ("partial_shading", 1000000 + day - window, 2000000 + day + window)
    assert alarms.recurrence_after("line_ground", 1000000, 2000000) is None
    assert alarms.recurrence_after("string_blocked", 1000000, 2000000) is None
    # an arc comes and goes at no hour (anyTime): from its raise to 48 h after it, every window of the next day
    assert alarms.recurrence_after("arc_fault", 1000000, 2000000) == ("arc_fault", 2000000, 2000000 + 2 * day)
    assert alarms.recurrence_after("arc_fault", None, 2000000) is None
    assert alarms.recurrence_after("partial_shading", None, 2000000) is None
    assert alarms.recurrence_after("partial_shading", float("nan"), 2000000) is None
    row = {"dayVerdict": "partial_shading", "dayAlarmOnsetMs": 1000000, "dayAlarmRaisedMs": 2000000}
    assert alarms.recurring_alarm(row, "2026-06-14", "2026-06-15") == alarms.recurrence_after("partial_shading", 1000000, 2000000)
    assert alarms.recurring_alarm(row, "2026-06-13", "2026-06-15") is None
    assert alarms.recurring_alarm({"dayVerdict": "partial_shading"}, "2026-06-14", "2026-06-15") is None  # a partition before version 11
    assert baseline.reference_of(row, baseline_date="2026-06-14", date="2026-06-15").recurring == alarms.recurrence_after("partial_shading", 1000000, 2000000)
    assert baseline.reference_of(row).recurring is None


def test_only_an_alarm_of_the_day_before_that_still_stood_is_carried():
    def row(verdict, standing=1.5):
        return {"deviceId": "PV-1", "ratios": [1.0], "gain": 1.0, "dayVerdict": verdict, "dayAlarmStanding": standing}
    assert alarms.MIN_STANDING == 1
    assert alarms.carried_alarm(row("arc_fault"), "2026-06-14", "2026-06-15") == "arc_fault"
    assert alarms.carried_alarm(row("string_blocked", 1.0), "2026-02-28", "2026-03-01") == "string_blocked"
    assert alarms.carried_alarm(row("arc_fault", 0.99), "2026-06-14", "2026-06-15") is None  # fell back before the day's end
    assert alarms.carried_alarm(row("arc_fault", None), "2026-06-14", "2026-06-15") is None  # a partition before version 8
    assert alarms.carried_alarm(row("arc_fault", float("nan")), "2026-06-14", "2026-06-15") is None
    assert alarms.carried_alarm(row("arc_fault"), "2026-06-13", "2026-06-15") is None  # the pipeline did not predict the 14th
    assert alarms.carried_alarm(row("normal"), "2026-06-14", "2026-06-15") is None
    assert alarms.carried_alarm(row(None), "2026-06-14", "2026-06-15") is None
    assert alarms.carried_alarm(None, "2026-06-14", "2026-06-15") is None
    assert alarms.carried_alarm(row("arc_fault"), None, "2026-06-15") is None
    assert baseline.reference_of(row("line_ground"), baseline_date="2026-06-14", date="2026-06-15").carried == "line_ground"
    assert baseline.reference_of(row("line_ground")).carried is None
    assert baseline.judged_as(tuple(baseline.reference_of(row("line_ground"), baseline_date="2026-06-14", date="2026-06-15")), baseline.DEFAULT_PER_UNIT).carried == "line_ground"


def test_an_alarms_standing_is_its_evidence_at_the_days_end_counted_on_its_own():
    t = {label: 4.0 for label in alarms.ALARM_LABELS}
    arc = [0.06, 0.06, 0.06, 0.06, 0.06, 0.7]
    normal = [0.7, 0.06, 0.06, 0.06, 0.06, 0.06]
    s = math.log((0.7 + 1e-4) / (0.06 + 1e-4))
    starts = [0, 10, 20, 30]
    assert alarms.alarm_standing(starts, [arc, arc, normal, arc], t, "arc_fault") == pytest.approx(2 * s / 4, rel=1e-12)
    assert alarms.alarm_standing(starts, [arc, arc, normal, arc], t, "arc_fault", frozenset([20])) == pytest.approx(3 * s / 4, rel=1e-12)
    assert alarms.alarm_standing(starts[:2], [normal, normal], t, "arc_fault") == 0
