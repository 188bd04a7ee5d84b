"""The numpy runtime of the model gives tfjs's probabilities (within 1e-5) on shared windows."""
import base64
import json
import os

import numpy as np
import pytest

from conftest import FIXTURES, REPO
from pvfault.model import Lenet
from pvfault import alarms

ARTIFACTS = os.path.join(REPO, "detector", "model", "artifacts")


@pytest.fixture(scope="module")
def case():
    with open(os.path.join(FIXTURES, "model", "inference-cases.json"), encoding="utf-8") as f:
        return json.load(f)


def test_numpy_inference_equals_tfjs(case):
    model = Lenet.load(ARTIFACTS)
    assert model.model_version == case["modelVersion"]
    n = case["count"]
    windows = np.frombuffer(base64.b64decode(case["windows"]), dtype="<f4").reshape(n, 64, 64, 4)
    levels = np.frombuffer(base64.b64decode(case["levels"]), dtype="<f4").reshape(n, 8)
    probs = model.predict(windows, levels)
    expected = np.array(case["probabilities"], dtype=np.float32).reshape(n, 6)
    assert probs.shape == (n, 6)
    np.testing.assert_allclose(probs, expected, rtol=0, atol=1e-5)
    assert np.allclose(probs.sum(axis=1), 1, atol=1e-5)


def test_the_level_features_matter_and_must_be_given(case):
    model = Lenet.load(ARTIFACTS)
    n = case["count"]
    windows = np.frombuffer(base64.b64decode(case["windows"]), dtype="<f4").reshape(n, 64, 64, 4)
    levels = np.frombuffer(base64.b64decode(case["levels"]), dtype="<f4").reshape(n, 8)
    assert not np.allclose(model.predict(windows, levels + 2), model.predict(windows, levels), atol=1e-4)
    with pytest.raises(ValueError, match="level features"):
        model.predict(windows, levels[:1])


def _read(name):
    with open(os.path.join(ARTIFACTS, name), "rb") as f:
        return f.read()


def test_refuses_thresholds_calibrated_for_another_model_or_missing_a_label():
    other = json.loads(_read("alarms.json"))
    other["modelVersion"] = "another-model"
    with pytest.raises(ValueError, match="calibrated for model 'another-model'.*npm run calibrate"):
        Lenet.from_bytes(_read("model.json"), _read("weights.bin"), _read("normalization.json"), json.dumps(other))
    partial = json.loads(_read("alarms.json"))
    del partial["thresholds"]["fleet"]["arc_fault"]
    with pytest.raises(ValueError, match="alarms.json thresholds.fleet: thresholds.arc_fault must be a positive number"):
        Lenet.from_bytes(_read("model.json"), _read("weights.bin"), _read("normalization.json"), json.dumps(partial))


@pytest.mark.parametrize("name, thresholds, message", [
    ("one set for all (the file before baselines)", lambda own: own, "alarms.json: thresholds.line_line is not a threshold set (own, fleet)"),
    ("no set for devices without history", lambda own: {"own": own}, "alarms.json thresholds.fleet: thresholds must be an object"),
    ("not an object", lambda own: None, "alarms.json: thresholds must be an object with own and fleet"),
])
def test_refuses_an_alarms_file_without_both_threshold_sets_naming_it(name, thresholds, message):
    doc = json.loads(_read("alarms.json"))
    doc["thresholds"] = thresholds(doc["thresholds"]["own"])
    with pytest.raises(ValueError) as err:
        Lenet.from_bytes(_read("model.json"), _read("weights.bin"), _read("normalization.json"), json.dumps(doc))
    assert message in str(err.value), name


def test_reads_both_threshold_sets_and_their_raise_thresholds():
    model = Lenet.from_bytes(_read("model.json"), _read("weights.bin"), _read("normalization.json"), _read("alarms.json"))
    committed = json.loads(_read("alarms.json"))
    assert model.alarm_thresholds == committed["thresholds"] and set(committed["thresholds"]) == {"own", "fleet"}
    assert model.raise_thresholds == committed["raise"] and set(committed["raise"]) == {"own", "fleet"}


@pytest.mark.parametrize("name, change, message", [
    # the messages are detector/alarms.ts checkRaise's (test/eval/earlyAlarm.test.ts)
    ("calibrated before the second stage", lambda doc: doc.pop("raise"), "alarms.json has no raise thresholds (calibrated before 2026-12-04); run npm run calibrate"),
    ("a raise above its group's threshold", lambda doc: doc["raise"]["own"].update(string_blocked=doc["thresholds"]["own"]["string_blocked"] + 1),
     "alarms.json: raise.own.string_blocked must be a positive number no higher than thresholds.own.string_blocked"),
    ("a set without its raise", lambda doc: doc["raise"].pop("fleet"), "alarms.json: raise.fleet.string_blocked must be a positive number no higher than thresholds.fleet.string_blocked"),
    ("a raise of zero", lambda doc: doc["raise"]["fleet"].update(string_blocked=0), "got 0"),
])
def test_refuses_raise_thresholds_that_are_missing_or_out_of_range_naming_them(name, change, message):
    doc = json.loads(_read("alarms.json"))
    change(doc)
    with pytest.raises(ValueError) as err:
        Lenet.from_bytes(_read("model.json"), _read("weights.bin"), _read("normalization.json"), json.dumps(doc))
    assert message in str(err.value), name


def test_raise_messages_print_numbers_as_javascript_does():
    sets = {s: {g: 30.0 for g in alarms.GROUPS} for s in alarms.THRESHOLD_SETS}
    with pytest.raises(ValueError, match=r"^alarms.json: raise.own.string_blocked must be a positive number no higher than thresholds.own.string_blocked \(30\), got 31$"):
        alarms.check_raise({"own": {"string_blocked": 31}, "fleet": {"string_blocked": 8}}, sets, "alarms.json")


def test_refuses_a_model_without_the_level_input(tmp_path):
    with open(os.path.join(ARTIFACTS, "model.json"), encoding="utf-8") as f:
        doc = json.load(f)
    doc["modelTopology"]["config"].pop("input_layers")
    with open(os.path.join(ARTIFACTS, "weights.bin"), "rb") as f:
        weights = f.read()
    with pytest.raises(ValueError, match="retrain"):
        Lenet.from_bytes(json.dumps(doc), weights, _read("normalization.json"), _read("alarms.json"))


def test_refuses_weights_that_do_not_match_the_manifest(tmp_path):
    for name in ("model.json", "normalization.json", "alarms.json"):
        with open(os.path.join(ARTIFACTS, name), "rb") as src, open(tmp_path / name, "wb") as dst:
            dst.write(src.read())
    with open(tmp_path / "weights.bin", "wb") as f:
        f.write(b"\0" * 16)
    with pytest.raises(ValueError):
        Lenet.load(str(tmp_path))


def test_refuses_pooling_it_does_not_implement(case):
    """Only 'valid' pooling is implemented: a model asking for 'same' is refused, not run wrongly."""
    with open(os.path.join(ARTIFACTS, "model.json"), encoding="utf-8") as f:
        doc = json.load(f)
    pools = [layer for layer in doc["modelTopology"]["config"]["layers"] if layer["class_name"].endswith("Pooling2D")]
    assert pools, "the committed model has pooling layers"
    pools[0]["config"]["padding"] = "same"
    with open(os.path.join(ARTIFACTS, "weights.bin"), "rb") as f:
        weights = f.read()
    model = Lenet.from_bytes(json.dumps(doc), weights, _read("normalization.json"), _read("alarms.json"))
    n = case["count"]
    windows = np.frombuffer(base64.b64decode(case["windows"]), dtype="<f4").reshape(n, 64, 64, 4)
    levels = np.frombuffer(base64.b64decode(case["levels"]), dtype="<f4").reshape(n, 8)
    with pytest.raises(ValueError, match="'valid' pooling"):
        model.predict(windows, levels)
