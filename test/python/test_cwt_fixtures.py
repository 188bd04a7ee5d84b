"""The CWT fixtures the TypeScript implementation is held to are what pywt produces, up to the last bits another CPU changes."""
import base64
import json
import os
import sys

import numpy as np
import pytest
import pywt

from conftest import FIXTURES
from tolerance import assert_within_ulps

sys.path.insert(0, os.path.join(FIXTURES, "cwt"))
import generate_cwt_fixtures  # noqa: E402


def _load():
    with open(os.path.join(FIXTURES, "cwt", "cwt-fixtures.json"), encoding="utf-8") as f:
        return json.load(f)


def _decode(b64, dtype, shape=None):
    arr = np.frombuffer(base64.b64decode(b64), dtype=np.dtype(dtype).newbyteorder("<"))
    return arr.reshape(shape) if shape else arr


# Another CPU computes the signals' np.sin and the generator's RandomState draws
# (libm's log) a few ulps apart — numpy allows up to 4 ulps in its SIMD loops, and
# the signals scale a sine by up to 950 before adding noise — and pywt's
# convolutions sum in its BLAS's order; float32 coefficients absorb all but the
# occasional flip of their last bit. Far tighter than the 1e-6 of the largest
# coefficient that the TypeScript CWT is held to, so a change of pywt still shows.
INPUT_ULPS = 8
COEF_ULPS = 2


def _assert_same_case(old, new):
    assert (old["name"], old["n"], old["scales"]) == (new["name"], new["n"], new["scales"])
    assert_within_ulps(_decode(new["input"], "float64"), _decode(old["input"], "float64"), INPUT_ULPS, old["name"] + " input")
    shape = (len(old["scales"]), old["n"])
    assert_within_ulps(_decode(new["coefs"], "float32", shape), _decode(old["coefs"], "float32", shape), COEF_ULPS, old["name"] + " coefs")


def test_fixtures_are_what_pywt_computes_now():
    committed = _load()["cases"]
    fresh = generate_cwt_fixtures.cases()
    assert [c["name"] for c in committed] == [c["name"] for c in fresh]
    for old, new in zip(committed, fresh):
        _assert_same_case(old, new)


def _nudged(case, input_ulps):
    """The case as another CPU might compute it: each input value `input_ulps` ulps
    away (alternately up and down), each stored coefficient one float32 ulp away."""
    def step(x, times):
        toward = np.where(np.arange(x.size) % 2 == 0, np.inf, -np.inf).astype(x.dtype)
        for _ in range(times):
            x = np.nextafter(x, toward)
        return x

    out = dict(case)
    out["input"] = _b64(step(_decode(case["input"], "float64"), input_ulps))
    out["coefs"] = _b64(step(_decode(case["coefs"], "float32"), 1))
    return out


def _b64(array):
    return generate_cwt_fixtures._b64(array, array.dtype)


def test_last_bit_differences_of_another_cpu_pass_where_a_byte_comparison_failed():
    for old in _load()["cases"]:
        new = _nudged(old, 2)
        assert new["input"] != old["input"] and new["coefs"] != old["coefs"]  # the former check compared these strings
        _assert_same_case(old, new)


def test_a_real_change_still_fails():
    case = next(c for c in _load()["cases"] if c["name"] == "irradiance-day")
    x = _decode(case["input"], "float64").copy()
    x[np.argmax(np.abs(x))] *= 1 + 1e-12
    with pytest.raises(AssertionError, match="irradiance-day input: 1 of 4320 values differ"):
        _assert_same_case(case, dict(case, input=_b64(x)))
    c = _decode(case["coefs"], "float32").copy()
    c[5000] += np.float32(1e-6 * case["maxAbs"])  # the TypeScript CWT's tolerance is far too loose here
    with pytest.raises(AssertionError, match="irradiance-day coefs: 1 of"):
        _assert_same_case(case, dict(case, coefs=_b64(c)))


def test_one_flip_of_a_float32_last_bit_passes_at_any_magnitude():
    """The former bound, 1e-7 of the largest coefficient, is less than one float32 ulp
    when that coefficient's mantissa is below 1.19: one flipped rounding failed it."""
    stored = np.float32([1.05 * 2 ** 10, -3.0, 0.5])
    flipped = np.nextafter(stored, np.float32(np.inf))
    assert np.max(np.abs(flipped - stored)) > 1e-7 * np.abs(stored).max()
    assert_within_ulps(flipped, stored, COEF_ULPS, "coefs")


def test_nan_or_infinity_on_one_side_only_fails():
    with pytest.raises(AssertionError, match="the first at 1: nan instead of 2.0"):
        assert_within_ulps([1.0, np.nan], [1.0, 2.0], 8, "x")
    with pytest.raises(AssertionError, match="the first at 0: 1.0 instead of inf"):
        assert_within_ulps([1.0, np.nan], [np.inf, np.nan], 8, "x")
    assert_within_ulps([np.inf, np.nan, 1.0], [np.inf, np.nan, 1.0], 0, "x")
    with pytest.raises(AssertionError, match=r"shape \(2,\), expected \(3,\)"):
        assert_within_ulps([1.0, 2.0], [1.0, 2.0, 3.0], 8, "x")


def test_fixture_rows_are_the_contract_scales_of_pywt_cwt():
    case = _load()["cases"][0]
    x = _decode(case["input"], "float64")
    coefs, _ = pywt.cwt(x, np.arange(1, 65), "morl")
    stored = _decode(case["coefs"], "float32", (len(case["scales"]), case["n"]))
    assert case["scales"] == list(range(1, 65))
    np.testing.assert_allclose(stored, coefs.astype(np.float32), rtol=0, atol=1e-6 * case["maxAbs"])
