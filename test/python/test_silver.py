"""The Python silver cleaning equals the TypeScript one on the shared fixtures."""
import json
import os

import numpy as np
import pytest

from conftest import FIXTURES
from pvfault import silver

with open(os.path.join(FIXTURES, "silver", "silver-cases.json"), encoding="utf-8") as f:
    CASES = json.load(f)["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_silver_row_matches_the_typescript_implementation(case):
    row = silver.build_silver_row("PV-000042", case["startMs"], case["endMs"], case["readings"], case["received"], case["quarantined"])
    want = case["silver"]
    for key in ("deviceId", "startMs", "stepMs", "samples", "received", "quarantined", "duplicates", "observed", "filled", "missing"):
        assert row[key] == want[key], key
    assert row["quality"].tolist() == want["quality"]
    for channel in silver.CHANNELS:
        expected = np.array([np.nan if v is None else v for v in want[channel]], dtype=np.float32)
        # bit-identical float32, NaN where missing
        np.testing.assert_array_equal(row[channel], expected)


def test_halves_round_up_like_javascript():
    # Python's round() would send 2.5 to 2 (banker's rounding); the contract says up
    assert silver.slot_of(1000 + 50_000, 1000, 10) == 3
    assert silver.slot_of(1000 - 10_000, 1000, 10) == 0
    assert silver.slot_of(1000 - 10_001, 1000, 10) == -1
