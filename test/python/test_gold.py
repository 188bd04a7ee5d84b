"""Gold rows from windows and probabilities; a device-day through the real model."""
import os

import numpy as np
import pytest

from conftest import REPO
from pvfault import baseline, gold, tables
from pvfault.contracts import FAULT_CLASSES
from pvfault.baseline import Reference
from pvfault.model import Lenet
from pvfault.windows import DEFAULT_PER_UNIT, PerUnit, WINDOW, day_scalograms, filled_channels, to_per_unit, window_levels, window_tensor, windows_of

START = 1_763_593_200_000
W = WINDOW * 20_000


def _windows(reasons):
    return [(i, START + i * W, START + (i + 1) * W, r) for i, r in enumerate(reasons)]


def _onehot(labels, p=0.9):
    out = np.full((len(labels), 6), (1 - p) / 5, dtype=np.float32)
    for i, c in enumerate(labels):
        out[i, c] = p
    return out


def test_a_tie_goes_to_the_lower_class_and_skipped_windows_keep_their_reason():
    probs = np.array([[0.1, 0.4, 0.4, 0.1, 0.0, 0.0]], dtype=np.float32)
    rows = gold.window_rows("PV-1", _windows([None, "low_irradiance"]), probs, "m1")
    assert rows[0]["label"] == "line_line" and rows[0]["labelIndex"] == 1
    assert rows[0]["confidence"] == pytest.approx(0.4) and rows[0]["status"] == "predicted"
    assert rows[1]["status"] == "skipped" and rows[1]["skipReason"] == "low_irradiance"
    assert all(rows[1]["p_" + c] is None for c in FAULT_CLASSES) and rows[1]["label"] is None


def test_probability_rows_must_match_the_predicted_windows():
    with pytest.raises(ValueError):
        gold.window_rows("PV-1", _windows([None, None]), _onehot([0]), "m1")


THRESHOLDS = {label: 5.0 for label in ("line_line", "line_ground", "open_circuit", "partial_shading", "arc_fault", "string_blocked")}
"""A window at 0.9 against 0.02 scores ln(0.9/0.02) = 3.8: two in a row raise an alarm, one does not."""
SETS = {"own": THRESHOLDS, "fleet": THRESHOLDS}


def test_two_fault_windows_in_a_row_raise_the_alarm_which_is_the_verdict():
    labels = [0, 0, 5, 0, 0, 5, 5, 0]
    rows = gold.window_rows("PV-1", _windows([None] * 8 + ["missing_data"]), _onehot(labels), "m1")
    d = gold.daily_row("PV-1", rows[::-1], "m1", SETS)  # any order
    assert (d["windows"], d["predicted"], d["skipped"]) == (9, 8, 1)
    # window 2's evidence was undone by the normal windows after it; the run of 5 and 6 raised it at the end of 6
    assert d["verdict"] == "arc_fault" and d["alarmOnsetMs"] == START + 5 * W and d["alarmRaisedMs"] == START + 7 * W
    assert d["alarmConfidence"] == pytest.approx(0.9) and d["alarmEvidence"] == pytest.approx(2 * np.log((0.9 + 1e-4) / (0.02 + 1e-4)))
    assert d["n_arc_fault"] == 3 and d["n_normal"] == 5
    assert d["meanConfidence"] == pytest.approx(float(np.float32(0.9)))


def test_a_lone_fault_window_leaves_the_day_normal_and_a_blocked_string_raises_its_group():
    d = gold.daily_row("PV-1", gold.window_rows("PV-1", _windows([None] * 3), _onehot([0, 0, 4]), "m"), "m", SETS)
    assert d["verdict"] == "normal" and d["alarmOnsetMs"] is None and d["alarmEvidence"] is None
    d = gold.daily_row("PV-1", gold.window_rows("PV-1", _windows([None] * 4), _onehot([0, 3, 1, 3]), "m"), "m", SETS)
    assert d["verdict"] == "string_blocked" and d["alarmOnsetMs"] == START + W and d["alarmRaisedMs"] == START + 3 * W


def test_a_day_without_predictions_has_no_verdict():
    d = gold.daily_row("PV-1", gold.window_rows("PV-1", _windows(["low_irradiance"] * 5), np.zeros((0, 6)), "m"), "m", SETS)
    assert d["verdict"] is None and d["meanConfidence"] is None and d["predicted"] == 0


def test_the_reference_picks_the_threshold_set_and_is_recorded():
    # two fault windows in a row: evidence 7.6, above the own set (5) and below the fleet set (9)
    sets = {"own": THRESHOLDS, "fleet": {label: 9.0 for label in THRESHOLDS}}
    rows = gold.window_rows("PV-1", _windows([None] * 4), _onehot([0, 5, 5, 0]), "m")
    fleet = gold.daily_row("PV-1", rows, "m", sets)
    assert fleet["verdict"] == "normal" and fleet["baselineDays"] == 0 and fleet["baselineGain"] is None
    own = gold.daily_row("PV-1", rows, "m", sets, Reference(0.95, 3))
    assert own["verdict"] == "arc_fault" and own["baselineDays"] == 3 and own["baselineGain"] == 0.95
    # a gain without days is not history: the fleet's set (reference_of never makes one, but the rule is the days)
    assert gold.daily_row("PV-1", rows, "m", sets, Reference(0.95, 0))["verdict"] == "normal"
    frame = tables.to_frame("gold_daily", [fleet, own])
    assert frame["baselineGain"].isna().tolist() == [True, False] and frame["baselineDays"].tolist() == [0, 3]


def test_thresholds_are_checked_naming_the_label():
    from pvfault.alarms import check_thresholds
    with pytest.raises(ValueError, match="thresholds.arc_fault must be a positive number"):
        check_thresholds(dict(THRESHOLDS, arc_fault=0), "alarms.json")
    with pytest.raises(ValueError, match="thresholds.normal is not an alarm label"):
        check_thresholds(dict(THRESHOLDS, normal=1), "alarms.json")


class _NoModel(object):
    scale = {"voltage": 1, "current": 1, "temperature": 1, "irradiance": 1}
    model_version = "none"

    levels = {"center": [0] * 8, "spread": [1] * 8}

    def predict(self, x, levels):
        raise AssertionError("a night-only day must not reach the model")


def _silver(irradiance, samples=4320):
    t = np.arange(samples)
    return {"deviceId": "PV-1", "startMs": START, "stepMs": 20_000, "samples": samples,
            "voltage": (300 + 50 * np.sin(t / 300)).astype(np.float32), "current": (5 + np.cos(t / 200)).astype(np.float32),
            "temperature": (20 + t / 1000).astype(np.float32), "irradiance": irradiance.astype(np.float32),
            "quality": np.zeros(samples, dtype=np.int32)}


def test_a_device_with_no_daylight_gets_only_skipped_windows():
    rows, ratio = gold.predict_device(_silver(np.zeros(4320)), _NoModel())
    assert ratio is None and len(rows) == 67 and {r["skipReason"] for r in rows} == {"low_irradiance"}


def test_a_daylight_device_runs_the_model_in_batches_with_the_same_result():
    model = Lenet.load(os.path.join(REPO, "detector", "model", "artifacts"))
    t = np.arange(4320)
    irr = np.clip(900 * np.sin(np.pi * (t - 1000) / 2400), 0, None)
    row = _silver(irr)
    rows, ratio = gold.predict_device(row, model)
    assert ratio == pytest.approx(baseline.day_ratio(filled_channels(row), windows_of(row)))
    predicted = [r for r in rows if r["status"] == "predicted"]
    assert 33 <= len(predicted) < 67 and all(r["modelVersion"] == model.model_version for r in rows)
    # what the model reads: the channels per unit of the default design's (no registry row given)
    filled = to_per_unit(filled_channels(row), DEFAULT_PER_UNIT)
    sc = day_scalograms(row, filled)
    x = np.stack([window_tensor(sc, r["windowIndex"], model.scale) for r in predicted])
    lv = np.stack([window_levels(filled, r["windowIndex"], model.levels) for r in predicted])
    whole = model.predict(x, lv)
    got = np.array([[r["p_" + c] for c in FAULT_CLASSES] for r in predicted], dtype=np.float32)
    np.testing.assert_allclose(got, whole, atol=1e-6)
    frame = tables.to_frame("gold_window", rows)
    assert frame["labelIndex"].isna().sum() == 67 - len(predicted)


def test_the_gain_scales_the_irradiance_the_model_reads_and_not_the_ratio_or_the_skips():
    model = Lenet.load(os.path.join(REPO, "detector", "model", "artifacts"))
    t = np.arange(4320)
    row = _silver(np.clip(900 * np.sin(np.pi * (t - 1000) / 2400), 0, None))
    plain, r_plain = gold.predict_device(row, model)
    scaled, r_scaled = gold.predict_device(row, model, Reference(1.1, 4))
    # the same windows skipped (the skip rule keeps the measured irradiance) and the same r (measured, before the gain)
    assert [w["skipReason"] for w in scaled] == [w["skipReason"] for w in plain]
    assert r_scaled == r_plain and r_plain is not None
    # the model read other inputs: the irradiance's levels moved
    filled = filled_channels(row, 1.1)
    np.testing.assert_array_equal(filled["irradiance"], filled_channels(row)["irradiance"] * 1.1)
    np.testing.assert_array_equal(filled["current"], filled_channels(row)["current"])
    got = np.array([[w["p_" + c] for c in FAULT_CLASSES] for w in scaled if w["status"] == "predicted"])
    was = np.array([[w["p_" + c] for c in FAULT_CLASSES] for w in plain if w["status"] == "predicted"])
    assert not np.allclose(got, was, atol=1e-6)


def test_the_design_scales_the_voltage_and_current_the_model_reads_and_the_ratio_but_not_the_skips():
    model = Lenet.load(os.path.join(REPO, "detector", "model", "artifacts"))
    t = np.arange(4320)
    row = _silver(np.clip(900 * np.sin(np.pi * (t - 1000) / 2400), 0, None))
    plain, r_plain = gold.predict_device(row, model)
    other = PerUnit(691.2, 8.92, 0.0032)
    judged, r_other = gold.predict_device(row, model, Reference(None, 0, other))
    assert [w["skipReason"] for w in judged] == [w["skipReason"] for w in plain]
    # r is of current per unit of the design's; gold's window means stay in volts and amperes
    assert r_other == pytest.approx(r_plain * DEFAULT_PER_UNIT.impStcA / other.impStcA, rel=1e-12)
    assert [w["meanVoltage"] for w in judged] == [w["meanVoltage"] for w in plain]
    got = np.array([[w["p_" + c] for c in FAULT_CLASSES] for w in judged if w["status"] == "predicted"])
    was = np.array([[w["p_" + c] for c in FAULT_CLASSES] for w in plain if w["status"] == "predicted"])
    assert not np.allclose(got, was, atol=1e-6)
