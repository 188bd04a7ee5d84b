"""The measured side's 1-min sky statistics (detector/realism/sky_stats.py): hand-made series, and the shared fixture the TypeScript side writes."""
import json
import math
import os
import sys

import numpy as np
import pytest

from conftest import FIXTURES, REPO

sys.path.insert(0, os.path.join(REPO, "detector", "realism"))
import sky_stats  # noqa: E402

N = 300


def test_square_wave_has_known_ramps_vi_and_kc():
    g = np.where(np.arange(N) % 2 == 0, 500.0, 300.0)
    d = sky_stats.day_stats(g, np.full(N, 500.0), np.ones(N, bool))
    assert set(d["ramps"]) == {200.0}
    assert d["vi"] == pytest.approx(math.sqrt(200**2 + 1), rel=1e-12)
    assert d["kc"] == pytest.approx(0.8, rel=1e-12)
    assert d["sky"] == "broken"
    assert sky_stats.class_stats([d])["broken"]["largeRampShare"] == 1


def test_a_day_that_follows_a_ramping_clear_sky_has_vi_of_its_slopes():
    cs = 100 + 3.0 * np.arange(N)
    d = sky_stats.day_stats(0.9 * cs, cs, np.ones(N, bool))
    assert d["vi"] == pytest.approx(math.sqrt(2.7**2 + 1) / math.sqrt(10), rel=1e-12)
    assert d["kc"] == pytest.approx(0.9, rel=1e-12)


def test_night_and_gaps_count_for_nothing_and_a_gap_breaks_the_ramps():
    g = np.where(np.arange(N) < 200, 500.0, 800.0)
    g[150] = np.nan
    d = sky_stats.day_stats(g, np.full(N, 1000.0), np.arange(N) >= 10)
    assert d["minutes"] == N - 11
    assert len(d["ramps"]) == N - 13
    assert [r for r in d["ramps"] if r > 0] == [300.0]
    assert sky_stats.day_stats(g, np.full(N, 1000.0), np.arange(N) < 100) is None
    with pytest.raises(ValueError, match="unequal"):
        sky_stats.day_stats([1, 2], [1], [True, True])


def test_the_rule_at_its_thresholds():
    assert sky_stats.classify(0.34, 1) == "overcast"
    assert sky_stats.classify(0.35, 1) == "mostly_cloudy"
    assert sky_stats.classify(0.6, 5) == "broken"
    assert sky_stats.classify(0.8, 1.99) == "clear"
    assert sky_stats.classify(0.85, 2) == "broken"


def test_night_noise_is_the_sample_sd():
    v = np.where(np.arange(100) % 2 == 0, -2.0, 0.0)
    n = sky_stats.night_noise(v, np.ones(100, bool))
    assert n["mean"] == pytest.approx(-1, rel=1e-12)
    assert n["sd"] == pytest.approx(math.sqrt(100 / 99), rel=1e-12)


def _close(actual, expected, path):
    if isinstance(expected, bool) or isinstance(expected, str) or expected is None:
        assert actual == expected, path
    elif isinstance(expected, (int, float)):
        assert actual == pytest.approx(expected, rel=1e-9, abs=1e-12), path
    elif isinstance(expected, dict):
        for k, v in expected.items():
            _close(actual[k], v, f"{path}.{k}")
    else:
        assert len(actual) == len(expected), path
        for i, v in enumerate(expected):
            _close(actual[i], v, f"{path}[{i}]")


def test_the_python_side_computes_what_the_typescript_side_does_on_the_shared_days():
    with open(os.path.join(FIXTURES, "realism", "sky-stats-cases.json"), encoding="utf-8") as f:
        case = json.load(f)
    stats = []
    brief = []
    night = []
    for day in case["days"]:
        g = np.array([np.nan if v is None else v for v in day["g"]])
        s = sky_stats.day_stats(g, day["clearSky"], day["daytime"])
        stats.append(s)
        brief.append(s and {"minutes": s["minutes"], "kc": s["kc"], "vi": s["vi"], "sky": s["sky"], "ramps": len(s["ramps"]), "rampSum": math.fsum(s["ramps"])})
        night.append(sky_stats.night_noise(g, np.asarray(day["clearSky"]) <= 0))
    _close(brief, case["expected"]["days"], "days")
    _close(sky_stats.class_stats([s for s in stats if s]), case["expected"]["classes"], "classes")
    _close(night, case["expected"]["night"], "night")
