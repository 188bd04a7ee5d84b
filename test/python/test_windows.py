"""Gap fill + pywt CWT + windows + normalisation in Python equal the TypeScript detector's."""
import base64
import json
import os

import math

import numpy as np
import pytest

from conftest import FIXTURES
from pvfault import contracts, windows


@pytest.fixture(scope="module")
def case():
    with open(os.path.join(FIXTURES, "windows", "windows-cases.json"), encoding="utf-8") as f:
        data = json.load(f)
    silver = dict(data["silver"])
    for c in windows.CHANNELS:
        silver[c] = np.array([np.nan if v is None else v for v in silver[c]], dtype=np.float32)
    silver["quality"] = np.array(silver["quality"], dtype=np.int32)
    data["silver"] = silver
    return data


def test_same_windows_and_skip_reasons(case):
    ours = windows.windows_of(case["silver"])
    assert [(i, s, e, r) for i, s, e, r in ours] == [(w["index"], w["startMs"], w["endMs"], w["skipReason"]) for w in case["windows"]]
    assert any(w["skipReason"] == "missing_data" for w in case["windows"])  # the fixture exercises gaps


def test_same_normalised_tensors(case):
    scalograms = windows.day_scalograms(case["silver"])
    n = len(case["tensorIndices"])
    expected = np.frombuffer(base64.b64decode(case["tensors"]), dtype="<f4").reshape(n, 64, 64, 4)
    for k, index in enumerate(case["tensorIndices"]):
        ours = windows.window_tensor(scalograms, index, case["scale"])
        np.testing.assert_allclose(ours, expected[k], rtol=0, atol=1e-5)


def test_same_as_of_end_tensors(case):
    """A window as a stream scores it the moment it ends: the reach after it stood in for (reflect)."""
    filled = windows.filled_channels(case["silver"])
    n = len(case["asOfEndIndices"])
    expected = np.frombuffer(base64.b64decode(case["asOfEndTensors"]), dtype="<f4").reshape(n, 64, 64, 4)
    batch = windows.day_scalograms(case["silver"])
    for k, index in enumerate(case["asOfEndIndices"]):
        ours = windows.as_of_end_tensor(filled, index, case["scale"], case["asOfEndEdge"])
        np.testing.assert_allclose(ours, expected[k], rtol=0, atol=1e-5)
        # not the batch's window: the samples after it are stood in for
        assert np.abs(ours - windows.window_tensor(batch, index, case["scale"])).max() > 1e-3


def test_as_of_end_reads_nothing_after_the_window():
    x = np.sin(np.arange(2048) / 37.0) + 3
    filled = {c: x.copy() for c in windows.CHANNELS}
    later = {c: x.copy() for c in windows.CHANNELS}
    for c in windows.CHANNELS:
        later[c][20 * windows.WINDOW:] += 50  # the future changes
    scale = {c: 1.0 for c in windows.CHANNELS}
    for edge in windows.EDGE_MODES:
        a = windows.as_of_end_tensor(filled, 19, scale, edge)
        np.testing.assert_array_equal(a, windows.as_of_end_tensor(later, 19, scale, edge))
        assert np.abs(a - windows.as_of_end_tensor(later, 20, scale, edge)).max() > 0.1
    with pytest.raises(ValueError, match="edge must be one of"):
        windows.as_of_end_tensor(filled, 3, scale, "mirror")
    with pytest.raises(ValueError, match="ends after"):
        windows.as_of_end_tensor(filled, 32, scale)


def test_same_level_features(case):
    filled = windows.filled_channels(case["silver"])
    n = len(case["tensorIndices"])
    expected = np.frombuffer(base64.b64decode(case["levels"]), dtype="<f4").reshape(n, len(windows.LEVEL_FEATURES))
    for k, index in enumerate(case["tensorIndices"]):
        np.testing.assert_allclose(windows.window_levels(filled, index, case["levelNormalization"]), expected[k], rtol=0, atol=1e-6)


def test_level_features_are_the_window_mean_and_std():
    filled = {c: np.zeros(128) for c in windows.CHANNELS}
    filled["current"][64:] = np.tile([8.0, 12.0], 32)  # window 1: mean 10, std 2
    norm = {"center": [0.0] * 8, "spread": [1.0] * 8}
    got = windows.window_levels(filled, 1, norm)
    np.testing.assert_allclose(got, np.float32([0, 0, np.arcsinh(10), np.arcsinh(2), 0, 0, 0, 0]), rtol=1e-7)
    norm = {"center": [0, 0, np.arcsinh(10), 0, 0, 0, 0, 0], "spread": [1, 1, 2, 1, 1, 1, 1, 1]}
    assert windows.window_levels(filled, 1, norm)[2] == 0
    assert windows.window_levels(filled, 0, norm)[2] == pytest.approx(-np.arcsinh(10) / 2, rel=1e-6)


def test_gap_fill_rules():
    np.testing.assert_array_equal(windows.gap_filled([np.nan, 2, np.nan, np.nan, 8, np.nan]), [2, 2, 4, 6, 8, 8])
    np.testing.assert_array_equal(windows.gap_filled([np.nan, np.nan]), [0, 0])


def test_per_unit_divides_voltage_by_the_temperature_corrected_vmp_and_current_by_imp():
    # the same case as test/detector/perUnit.test.ts (detector/perUnit.ts toPerUnit)
    ref = windows.PerUnit(200.0, 10.0, 0.004)
    filled = {"voltage": np.array([200.0, 180.0, 100.0, 50.0]), "current": np.array([10.0, 5.0, 0.0, 20.0]),
              "temperature": np.array([25.0, 50.0, -25.0, 400.0]), "irradiance": np.array([1000.0, 500.0, 0.0, 1.0])}
    got = windows.to_per_unit(filled, ref)
    assert got is not filled and filled["voltage"][1] == 180.0  # a new dict: the measured channels stay for gold and the ratio
    assert got["voltage"].tolist() == [1.0, 180.0 / (200.0 * 0.9), 100.0 / (200.0 * 1.2), 50.0 / (200.0 * windows.PER_UNIT["minFactor"])]
    assert got["current"].tolist() == [1.0, 0.5, 0.0, 2.0]
    assert got["temperature"] is filled["temperature"] and got["irradiance"] is filled["irradiance"]
    assert windows.per_unit_of(None) == windows.DEFAULT_PER_UNIT
    assert windows.per_unit_of({"vmpStcV": 691.2, "impStcA": 8.92, "vmpDropPerKelvin": 0.0032, "design": "x"}) == windows.PerUnit(691.2, 8.92, 0.0032)


def test_per_unit_maps_a_design_with_shapes_onto_the_default_design_at_the_slot_light_and_heat():
    # contracts/detector.json perUnit.shape; the TypeScript's equality on a CdTe device is test/spark/pvfault.test.ts
    shape_v = (0.02, -0.01, 0.003, 0.004, -0.002, 0.001, 0.0005, -0.0003)
    shape_i = (-0.01, 0.0, 0.0, 0.002, 0.0, 0.0, 0.0, 0.0)
    ref = windows.PerUnit(200.0, 10.0, 0.004, shape_v, shape_i)
    filled = {"voltage": np.array([200.0, 180.0, 150.0]), "current": np.array([10.0, 5.0, 1.0]),
              "temperature": np.array([25.0, 50.0, -40.0]), "irradiance": np.array([1000.0, 500.0, 0.0])}
    got = windows.to_per_unit(filled, ref)
    plain = windows.to_per_unit(filled, ref._replace(voltageShape=None, currentShape=None))
    for k, (g, t) in enumerate([(1000.0, 25.0), (500.0, 50.0), (50.0, -20.0)]):  # the last one clamped
        x, y = math.log(g / 1000), (t - 25) / 25
        basis = (x, x * x, x ** 3, y, y * y, x * y, x * x * y, x * y * y)
        assert got["voltage"][k] == pytest.approx(plain["voltage"][k] * math.exp(sum(c * b for c, b in zip(shape_v, basis))), rel=1e-14)
        assert got["current"][k] == pytest.approx(plain["current"][k] * math.exp(sum(c * b for c, b in zip(shape_i, basis))), rel=1e-14)
    # at STC the shapes change nothing; a row's zeros or nulls are no shape
    assert (got["voltage"][0], got["current"][0]) == (1.0, 1.0)
    zeros = {"vmpStcV": 200.0, "impStcA": 10.0, "vmpDropPerKelvin": 0.004, "voltageShape": [0.0] * 8, "currentShape": None}
    assert windows.per_unit_of(zeros) == windows.PerUnit(200.0, 10.0, 0.004)
    assert windows.per_unit_of(dict(zeros, voltageShape=list(shape_v))).voltageShape == shape_v
    # the columns both predict jobs read of the registry (detector/perUnit.ts PER_UNIT_COLUMNS)
    assert windows.PER_UNIT_COLUMNS == ("vmpStcV", "impStcA", "vmpDropPerKelvin", "voltageShape", "currentShape", "modulesPerString", "vocStcV")
    # what the alarm reads of the design (alarms.designGroups): None when the row has none (written before tables contract 13)
    assert windows.per_unit_of(dict(zeros, modulesPerString=4, vocStcV=857.2))[5:] == (4, 857.2)
    registry_columns = [c["name"] for c in contracts.table_columns("silver_device_registry")]
    assert all(c in registry_columns for c in windows.PER_UNIT_COLUMNS)
