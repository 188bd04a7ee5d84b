"""What a plant event was (contracts/detector.json alarms.plantGate.conditions) on the Spark
side replays test/fixtures/contracts/plant-condition-cases.json, built from
detector/plantConditions.ts: the same runs, kinds and numbers, exactly (the same
operations on the same doubles, in the same order).
"""
import json
import os

import pytest

from conftest import FIXTURES
from pvfault.alarms import PLANT_GATE
from pvfault.plant_conditions import condition_kind, plant_conditions


@pytest.fixture(scope="module")
def fixture():
    with open(os.path.join(FIXTURES, "contracts", "plant-condition-cases.json"), encoding="utf-8") as f:
        return json.load(f)


def test_the_fixture_was_built_with_this_contract(fixture):
    assert fixture["rules"] == PLANT_GATE["conditions"]
    assert fixture["minDevices"] == PLANT_GATE["minDevices"]


def test_conditions_are_the_typescripts(fixture):
    for case in fixture["cases"]:
        slots = {s["startMs"]: s for s in case["slots"]}
        assert plant_conditions(slots, frozenset(case["events"])) == case["conditions"], case["name"]


def test_the_fixture_names_every_kind(fixture):
    kinds = {c["kind"] for case in fixture["cases"] for c in case["conditions"]}
    assert kinds == set(PLANT_GATE["conditions"]["kinds"])


def test_rules_in_order():
    rules = PLANT_GATE["conditions"]
    up = rules["powerLimitVoltageAbove"] + 0.01
    # a raised voltage is a power limit at noon, standby at the day's edges
    assert condition_kind(0.8, up, 30.0, False, False, 0.2, True) == "power_limit"
    assert condition_kind(0.8, up, 30.0, True, False, 0.2, True) == "standby"
    assert condition_kind(0.8, up, 30.0, False, True, 0.2, True) == "standby"
    # more current per irradiance than the reference is no limit: a plant soiled all day, at its noon
    assert condition_kind(rules["powerLimitCurrentBelow"], up, 30.0, False, False, 0.2, True) == "unknown"
    assert condition_kind(1.23, up, 30.0, True, False, 0.2, True) == "standby"
    # standby by current alone wins over everything
    assert condition_kind(rules["standbyCurrentBelow"] / 2, 1.0, 0.0, True, False, 1.0, True) == "standby"
    # cold and the whole day, or no reference: snow, before frost
    assert condition_kind(None, None, rules["snowTemperatureBelow"] - 1, True, True, 1.0, False) == "snow"
    assert condition_kind(0.8, 1.0, rules["snowTemperatureBelow"] - 1, True, False, 0.1, True) == "frost"
    assert condition_kind(0.8, 1.0, rules["frostTemperatureBelow"], True, False, 0.1, True) == "dew"
    assert condition_kind(0.8, 1.0, 20.0, True, True, 0.5, True) == "unknown"


def test_no_events_no_conditions():
    assert plant_conditions({1: {"devices": 30, "offNormal": 0, "measured": 30, "sums": [1.0, 1.0, 1.0, 1.0]}}, frozenset()) == []
