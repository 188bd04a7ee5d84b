"""A silver device-day -> model input windows (contracts/detector.json).

Gap fill, pywt CWT of each channel over the whole day, 64-slot windows with skip
reasons, asinh normalisation, stacked NHWC float32 — exactly as detector/windows.ts
does (shared fixtures in test/fixtures/windows). Python 3.9-compatible.
"""
import json
import os

import numpy as np
import pywt

from pvfault.contracts import CONTRACTS_DIR, QUALITY

with open(os.path.join(CONTRACTS_DIR, "detector.json"), encoding="utf-8") as _f:
    DETECTOR_CONTRACT = json.load(_f)

CHANNELS = tuple(DETECTOR_CONTRACT["channels"])
WINDOW = DETECTOR_CONTRACT["window"]["length"]
SCALES = np.arange(DETECTOR_CONTRACT["cwt"]["scaleFrom"], DETECTOR_CONTRACT["cwt"]["scaleTo"] + 1)
MAX_MISSING = DETECTOR_CONTRACT["skip"]["maxMissingFraction"]
MIN_IRRADIANCE = DETECTOR_CONTRACT["skip"]["minMeanIrradiance"]


def gap_filled(series):
    """NaN filled: linear between neighbours, nearest at the edges, zeros when nothing is known."""
    x = np.asarray(series, dtype=np.float64).copy()
    known = ~np.isnan(x)
    if not known.any():
        return np.zeros_like(x)
    idx = np.arange(len(x))
    # np.interp holds the edge values constant outside the known range, as the contract says
    x[~known] = np.interp(idx[~known], idx[known], x[known])
    return x


def windows_of(row):
    """[(index, startMs, endMs, skipReason or None)] for the day's full windows."""
    out = []
    samples = row["samples"]
    quality = np.asarray(row["quality"])
    irradiance = np.asarray(row["irradiance"], dtype=np.float64)
    for i in range(samples // WINDOW):
        sl = slice(i * WINDOW, (i + 1) * WINDOW)
        missing = int((quality[sl] == QUALITY["missing"]).sum()) / WINDOW
        g = irradiance[sl]
        valued = g[~np.isnan(g)]
        mean = float(valued.sum() / len(valued)) if len(valued) else 0.0
        reason = None
        if missing > MAX_MISSING:
            reason = "missing_data"
        elif mean < MIN_IRRADIANCE:
            reason = "low_irradiance"
        start = row["startMs"] + i * WINDOW * row["stepMs"]
        out.append((i, start, start + WINDOW * row["stepMs"], reason))
    return out


def day_scalograms(row):
    """{channel: (64, samples) float32} — pywt.cwt(x, np.arange(1, 65), 'morl') of the gap-filled series."""
    out = {}
    for c in CHANNELS:
        coefs, _ = pywt.cwt(gap_filled(row[c]), SCALES, "morl")
        out[c] = coefs.astype(np.float32)
    return out


def window_tensor(scalograms, index, scale):
    """(64, 64, 4) float32: asinh(coef / scale[channel]), height = scale, width = time."""
    start = index * WINDOW
    planes = [np.arcsinh(scalograms[c][:, start:start + WINDOW].astype(np.float64) / float(scale[c])) for c in CHANNELS]
    return np.stack(planes, axis=-1).astype(np.float32)


