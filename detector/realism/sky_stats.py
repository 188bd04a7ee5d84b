"""Statistics of a day of 1-minute irradiance: the measured side of `npm run sim:realism`.

The same definitions as detector/realism/skyStats.ts (the simulated side): the day's
clear-sky index, its ramps, the variability index of Stein et al. (2012) and a sky
type by one rule. test/fixtures/realism/sky-stats-cases.json holds both languages to
one set of vectors. numpy only, so the Debian interpreter of `npm run test:py` can
test it without pvlib.
"""
import math

import numpy as np

SKY_CLASSES = ("clear", "broken", "mostly_cloudy", "overcast")

# The rule (see skyStats.ts, where it is explained): thresholds on the day's kc and VI.
RULE = {"overcastBelow": 0.35, "clearFrom": 0.8, "clearViBelow": 2, "brokenFrom": 0.6}

# A ramp is "large" above this many W/m² per minute.
LARGE_RAMP = 100


def classify(kc, vi):
    if kc < RULE["overcastBelow"]:
        return "overcast"
    if kc >= RULE["clearFrom"] and vi < RULE["clearViBelow"]:
        return "clear"
    return "mostly_cloudy" if kc < RULE["brokenFrom"] else "broken"


def day_stats(g, clear_sky, daytime, min_minutes=120):
    """The day's statistics as a dict, or None for a day with fewer than min_minutes usable daytime minutes.

    g: 1-min mean irradiance (NaN where missing); clear_sky: the clear-sky value of each
    minute; daytime: True where the sun is at least 10° high.
    """
    g = np.asarray(g, dtype=float)
    cs = np.asarray(clear_sky, dtype=float)
    day = np.asarray(daytime, dtype=bool)
    if not (len(g) == len(cs) == len(day)):
        raise ValueError(f"day_stats: series of unequal length ({len(g)}, {len(cs)}, {len(day)})")
    ok = day & np.isfinite(g) & (cs > 0)
    # a ramp needs the minute before: a gap breaks the chain rather than making a 2-minute ramp
    pair = ok[1:] & ok[:-1]
    dg = (g[1:] - g[:-1])[pair]
    dc = (cs[1:] - cs[:-1])[pair]
    minutes = int(ok.sum())
    if minutes < min_minutes or len(dg) == 0:
        return None
    # math.fsum: exact sums, so both languages agree to rounding whatever their order of summation
    kc = math.fsum(g[ok]) / math.fsum(cs[ok])
    vi = math.fsum(np.sqrt(dg * dg + 1)) / math.fsum(np.sqrt(dc * dc + 1))
    return {
        "minutes": minutes,
        "kc": kc,
        "vi": vi,
        "ramps": np.abs(dg).tolist(),
        "minuteKc": (g[ok] / cs[ok]).tolist(),
        "sky": classify(kc, vi),
    }


def percentile(values, p):
    """Linear interpolation between order statistics (numpy's default method)."""
    if len(values) == 0:
        return math.nan
    return float(np.percentile(np.asarray(values, dtype=float), p))


def class_stats(days):
    """Per sky class: day count and share, median kc and VI over days, pooled ramp and minute-kc percentiles."""
    out = {}
    for sky in SKY_CLASSES:
        of = [d for d in days if d["sky"] == sky]
        if not of:
            out[sky] = None
            continue
        ramps = np.concatenate([np.asarray(d["ramps"], dtype=float) for d in of])
        kcs = np.concatenate([np.asarray(d["minuteKc"], dtype=float) for d in of])
        out[sky] = {
            "days": len(of),
            "dayShare": len(of) / len(days),
            "kc": percentile([d["kc"] for d in of], 50),
            "vi": percentile([d["vi"] for d in of], 50),
            "rampP50": percentile(ramps, 50),
            "rampP90": percentile(ramps, 90),
            "rampP99": percentile(ramps, 99),
            "largeRampShare": float((ramps > LARGE_RAMP).sum()) / len(ramps),
            "minuteKcP10": percentile(kcs, 10),
            "minuteKcP50": percentile(kcs, 50),
            "minuteKcP90": percentile(kcs, 90),
        }
    return out


def night_noise(values, night, min_minutes=60):
    """Sample sd (and mean) of a sensor's 1-min values while the sun is well below the horizon, or None for too few minutes."""
    v = np.asarray(values, dtype=float)
    picked = v[np.asarray(night, dtype=bool) & np.isfinite(v)]
    if len(picked) < min_minutes:
        return None
    return {"mean": float(picked.mean()), "sd": float(picked.std(ddof=1))}
