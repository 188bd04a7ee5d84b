"""The plant gate (contracts/detector.json alarms.plantGate) on the Spark side replays
test/fixtures/contracts/plant-gate-cases.json, built from detector/alarms.ts and detector/gold.ts.

Per case: each device's gold window rows (pvfault.gold.window_rows), the plant-day's slots
(pvfault.alarms.plant_slots: what the predict job's Spark aggregation computes), the plant
events (plant_events), and each device's gold_daily row decided with them (gold.daily_row).
Starts, counts, labels and verdicts exactly; floats (evidence: sums of logarithms, V8's
against libm's; confidences) within a relative 1e-9.
"""
import json
import os

import pytest

from conftest import FIXTURES
from pvfault import alarms, gold

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
    for case in fixture["cases"]:
        rows, _, events = _gate(fixture, case)
        for expected in case["daily"]:
            device_id = expected["deviceId"]
            actual = gold.daily_row(device_id, rows[device_id], fixture["modelVersion"], sets, plant_events=events)
            _same(actual, expected, "%s / %s" % (case["name"][:40], device_id))


def test_without_the_gate_the_decision_is_the_ungated_one(fixture):
    sets = {"own": fixture["thresholds"], "fleet": fixture["thresholds"]}
    for case in fixture["cases"]:
        rows, _, _ = _gate(fixture, case)
        for expected in case["ungated"]:
            device_id = expected["deviceId"]
            actual = gold.daily_row(device_id, rows[device_id], fixture["modelVersion"], sets)
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
