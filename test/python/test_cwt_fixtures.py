"""The CWT fixtures the TypeScript implementation is held to are exactly what pywt produces."""
import base64
import json
import os
import sys

import numpy as np
import pywt

from conftest import FIXTURES

sys.path.insert(0, os.path.join(FIXTURES, "cwt"))
import generate_cwt_fixtures  # noqa: E402


def _load():
    with open(os.path.join(FIXTURES, "cwt", "cwt-fixtures.json"), encoding="utf-8") as f:
        return json.load(f)


def _decode(b64, dtype, shape=None):
    arr = np.frombuffer(base64.b64decode(b64), dtype=np.dtype(dtype).newbyteorder("<"))
    return arr.reshape(shape) if shape else arr


def test_fixtures_are_what_pywt_computes_now():
    committed = _load()["cases"]
    fresh = generate_cwt_fixtures.cases()
    assert [c["name"] for c in committed] == [c["name"] for c in fresh]
    for old, new in zip(committed, fresh):
        assert old["input"] == new["input"], old["name"]
        a = _decode(old["coefs"], "float32", (len(old["scales"]), old["n"]))
        b = _decode(new["coefs"], "float32", (len(new["scales"]), new["n"]))
        # float32 storage; allow for a different numpy's last-bit rounding
        assert np.max(np.abs(a - b)) <= 1e-7 * old["maxAbs"], old["name"]


def test_fixture_rows_are_the_contract_scales_of_pywt_cwt():
    case = _load()["cases"][0]
    x = _decode(case["input"], "float64")
    coefs, _ = pywt.cwt(x, np.arange(1, 65), "morl")
    stored = _decode(case["coefs"], "float32", (len(case["scales"]), case["n"]))
    assert case["scales"] == list(range(1, 65))
    np.testing.assert_allclose(stored, coefs.astype(np.float32), rtol=0, atol=1e-6 * case["maxAbs"])
