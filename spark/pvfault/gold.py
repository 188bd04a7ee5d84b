"""A silver device-day -> its gold rows: one per window, and the day's summary.

The same rules as detector/gold.ts and local/jobs/devicePredictor.ts: skipped
windows keep their reason, a predicted window takes the most probable class
(the lower index on a tie), and the day's verdict is its alarm (pvfault.alarms,
contracts/tables.json summary). A test runs detector/gold.ts and these functions on
the same input.
Python 3.9-compatible.
"""
import numpy as np

from pvfault.alarms import decide_alarm
from pvfault.contracts import FAULT_CLASSES
from pvfault.windows import day_scalograms, filled_channels, window_levels, window_tensor, windows_of

_K = len(FAULT_CLASSES)
BATCH = 32


def window_rows(device_id, windows, probs, model_version):
    """windows: [(index, startMs, endMs, skipReason or None)]; probs: (predicted, 6), in window order."""
    probs = np.asarray(probs, dtype=np.float32).reshape(-1, _K)
    predicted = sum(1 for w in windows if not w[3])
    if predicted != probs.shape[0]:
        raise ValueError("window_rows: %d probability rows for %d predicted windows" % (probs.shape[0], predicted))
    rows = []
    p = 0
    for index, start, end, reason in windows:
        row = {"deviceId": device_id, "windowIndex": int(index), "startMs": int(start), "endMs": int(end), "modelVersion": model_version}
        if reason:
            row.update(status="skipped", skipReason=reason, label=None, labelIndex=None, confidence=None)
            row.update(("p_" + c, None) for c in FAULT_CLASSES)
        else:
            q = probs[p]
            p += 1
            best = 0
            for c in range(1, _K):
                if q[c] > q[best]:
                    best = c
            row.update(status="predicted", skipReason=None, label=FAULT_CLASSES[best], labelIndex=best, confidence=float(q[best]))
            row.update(("p_" + c, float(q[i])) for i, c in enumerate(FAULT_CLASSES))
        rows.append(row)
    return rows


def daily_row(device_id, rows, model_version, thresholds):
    """The day's summary and alarm from its window rows (any order: they are taken by windowIndex)."""
    counts = [0] * _K
    starts, ends, probs = [], [], []
    confidence_sum = 0.0
    p = 0
    for row in sorted(rows, key=lambda r: r["windowIndex"]):
        if row["status"] != "predicted":
            continue
        p += 1
        counts[int(row["labelIndex"])] += 1
        starts.append(int(row["startMs"]))
        ends.append(int(row["endMs"]))
        probs.append([float(row["p_" + c]) for c in FAULT_CLASSES])
        confidence_sum += float(row["confidence"])
    alarm = decide_alarm(starts, ends, probs, thresholds) if p > 0 else None
    daily = {"deviceId": device_id, "windows": len(rows), "predicted": p, "skipped": len(rows) - p}
    daily.update(("n_" + c, counts[i]) for i, c in enumerate(FAULT_CLASSES))
    daily.update(
        verdict=None if p == 0 else (alarm["label"] if alarm else "normal"),
        alarmOnsetMs=alarm["onsetMs"] if alarm else None,
        alarmRaisedMs=alarm["raisedMs"] if alarm else None,
        alarmConfidence=alarm["confidence"] if alarm else None,
        alarmEvidence=alarm["evidence"] if alarm else None,
        meanConfidence=confidence_sum / p if p > 0 else None,
        modelVersion=model_version,
    )
    return daily


def predict_device(row, model):
    """A silver row (dict, arrays as numpy) -> its gold window rows, with model a pvfault.model.Lenet.

    Memory is one device-day: four 64 x samples scalograms (~4.4 MB) and its windows.
    """
    windows = windows_of(row)
    usable = [w for w in windows if not w[3]]
    if usable:
        filled = filled_channels(row)
        scalograms = day_scalograms(row, filled)
        # batches bound the im2col copy of the first convolution (~45 MB for 32 windows)
        probs = np.concatenate([
            model.predict(
                np.stack([window_tensor(scalograms, w[0], model.scale) for w in batch]),
                np.stack([window_levels(filled, w[0], model.levels) for w in batch]),
            )
            for batch in (usable[b:b + BATCH] for b in range(0, len(usable), BATCH))
        ])
    else:
        probs = np.zeros((0, _K), dtype=np.float32)
    return window_rows(row["deviceId"], windows, probs, model.model_version)
