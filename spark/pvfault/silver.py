"""Readings of one device and day -> the silver row (contracts/tables.json, grid).

The same rules as detector/silver.ts, which the local pipeline uses; shared
fixtures (test/fixtures/silver) hold both implementations to identical output.
Python 3.9-compatible: it runs in the EMR image.
"""
import math

import numpy as np

from pvfault.contracts import GRID_STEP_MS, QUALITY, TABLES_CONTRACT

MAX_FILL_SLOTS = TABLES_CONTRACT["grid"]["maxFillSlots"]
CHANNELS = ("voltage", "current", "temperature", "irradiance")


def grid_samples(start_ms, end_ms):
    return int(math.floor((end_ms - start_ms) / GRID_STEP_MS + 0.5))


def slot_of(timestamp, start_ms, samples):
    """The grid slot a reading belongs to (halves round up, as JavaScript's Math.round), or -1."""
    slot = int(math.floor((timestamp - start_ms) / GRID_STEP_MS + 0.5))
    return slot if 0 <= slot < samples else -1


def build_silver_row(device_id, start_ms, end_ms, readings, received, quarantined):
    """readings: valid readings of the device in arrival order, dicts with timestamp and the four channels."""
    samples = grid_samples(start_ms, end_ms)
    chosen = [-1] * samples
    distance = [math.inf] * samples
    duplicates = 0
    for k, r in enumerate(readings):
        ts = r["timestamp"]
        slot = slot_of(ts, start_ms, samples)
        if slot < 0:
            continue
        d = abs(ts - (start_ms + slot * GRID_STEP_MS))
        if chosen[slot] >= 0:
            duplicates += 1
            if not d < distance[slot]:
                continue  # a tie keeps the earlier arrival
        chosen[slot] = k
        distance[slot] = d

    series = {c: np.full(samples, np.nan, dtype=np.float32) for c in CHANNELS}
    quality = np.full(samples, QUALITY["missing"], dtype=np.int32)
    observed = 0
    for s, k in enumerate(chosen):
        if k < 0:
            continue
        observed += 1
        quality[s] = QUALITY["observed"]
        for c in CHANNELS:
            series[c][s] = readings[k][c]

    filled = 0
    s = 0
    while s < samples:
        if quality[s] != QUALITY["missing"]:
            s += 1
            continue
        e = s
        while e < samples and quality[e] == QUALITY["missing"]:
            e += 1
        gap = e - s
        if s > 0 and e < samples and gap <= MAX_FILL_SLOTS:
            for g in range(s, e):
                f = (g - (s - 1)) / (gap + 1)
                for c in CHANNELS:
                    a = float(series[c][s - 1])
                    b = float(series[c][e])
                    series[c][g] = np.float32(a + f * (b - a))
                quality[g] = QUALITY["filled"]
            filled += gap
        s = e

    row = {
        "deviceId": device_id,
        "startMs": int(start_ms),
        "stepMs": GRID_STEP_MS,
        "samples": samples,
        "quality": quality,
        "received": int(received),
        "quarantined": int(quarantined),
        "duplicates": duplicates,
        "observed": observed,
        "filled": filled,
        "missing": samples - observed - filled,
    }
    row.update(series)
    return row
