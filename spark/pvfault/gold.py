"""A silver device-day -> its gold rows: one per window, and the day's summary.

The same rules as detector/gold.ts and local/jobs/devicePredictor.ts: skipped
windows keep their reason, a predicted window takes the most probable class
(the lower index on a tie), and the day's verdict is its alarm (pvfault.alarms,
contracts/tables.json summary), decided with the thresholds of the reference the
device was judged against (its own baseline or, without history, the fleet:
pvfault.baseline), which the summary records. The plant gate's events (the window
starts pvfault.alarms.plant_events found over the whole plant-day) are set aside by the
decision and counted in plantEventWindows, as detector/gold.ts gatedDaily does. A test
runs detector/gold.ts and these functions on the same input, and
test/fixtures/contracts/plant-gate-cases.json holds the gated summaries equal.
Python 3.9-compatible.
"""
import numpy as np

from pvfault.alarms import NO_EVENTS, alarm_since, alarm_standing, decide_alarm, is_alarm_label, one_short_blocks, raise_for, thresholds_for
from pvfault.baseline import NO_HISTORY, day_ratio
from pvfault.contracts import FAULT_CLASSES
from pvfault.windows import as_of_end_tensor, day_scalograms, filled_channels, to_per_unit, window_levels, window_mean, window_tensor, windows_of, with_gain

_K = len(FAULT_CLASSES)
BATCH = 32


MEAN_COLUMNS = (("meanVoltage", "voltage"), ("meanCurrent", "current"), ("meanTemperature", "temperature"), ("meanIrradiance", "irradiance"))
"""gold_window's measured means and the channels they are taken of (detector/alarms.ts WINDOW_MEAN_COLUMNS)"""


def window_rows(device_id, windows, probs, model_version, measured=None):
    """windows: [(index, startMs, endMs, skipReason or None)]; probs: (predicted, 6), in window order.

    measured: the day's channels as measured (pvfault.windows.filled_channels, before the
    baseline gain), from which each predicted window's means are written; None: null means."""
    probs = np.asarray(probs, dtype=np.float32).reshape(-1, _K)
    predicted = sum(1 for w in windows if not w[3])
    if predicted != probs.shape[0]:
        raise ValueError("window_rows: %d probability rows for %d predicted windows" % (probs.shape[0], predicted))
    rows = []
    p = 0
    for index, start, end, reason in windows:
        row = {"deviceId": device_id, "windowIndex": int(index), "startMs": int(start), "endMs": int(end), "modelVersion": model_version}
        row.update((key, None if reason or measured is None else window_mean(measured[channel], index)) for key, channel in MEAN_COLUMNS)
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


def _predicted(rows):
    """A device-day's predicted window rows in window order (the rows may come in any order)."""
    return sorted((r for r in rows if r["status"] == "predicted"), key=lambda r: r["windowIndex"])


def _probabilities(row):
    """A predicted window row's class probabilities, in FAULT_CLASSES order."""
    return [float(row["p_" + c]) for c in FAULT_CLASSES]


def _mean(row, column):
    """A predicted window row's measured mean (gold_window meanCurrent...), None where the row has none
    (the rows are dicts: the predict job's records, the stream's state rows)."""
    v = row.get(column)
    return None if v is None else float(v)


def daily_row(device_id, rows, model_version, threshold_sets, reference=NO_HISTORY, plant_events=NO_EVENTS, raise_sets=None):
    """The day's summary and alarm from its window rows (any order: they are taken by windowIndex).

    threshold_sets: alarms.json's {"own", "fleet"}; raise_sets: its raise thresholds, the same
    sets (pvfault.model.Lenet.raise_thresholds: two stages, the product's decision; None: one
    stage); reference: the pvfault.baseline.Reference
    the device-day was judged against, which picks the set and is recorded. plant_events:
    the plant-day's gated window starts (pvfault.alarms.plant_events; none by default): the
    alarm is decided without them and plantEventWindows counts the device's predicted
    windows among them (detector/gold.ts gatedDaily: deciding with events none of the
    device's windows meets is the ungated decision, so one pass gives both).
    """
    thresholds = thresholds_for(threshold_sets, reference.days)
    counts = [0] * _K
    starts, ends, probs, means = [], [], [], []
    confidence_sum = 0.0
    p = 0
    for row in _predicted(rows):
        p += 1
        counts[int(row["labelIndex"])] += 1
        starts.append(int(row["startMs"]))
        ends.append(int(row["endMs"]))
        probs.append(_probabilities(row))
        means.append((_mean(row, "meanCurrent"), _mean(row, "meanIrradiance")))
        confidence_sum += float(row["confidence"])
    alarm = decide_alarm(starts, ends, probs, thresholds, plant_events, reference.carried, raise_for(raise_sets, reference.days), reference.recurring,
                         one_short_blocks(reference.per_unit), means) if p > 0 else None
    daily = {"deviceId": device_id, "windows": len(rows), "predicted": p, "skipped": len(rows) - p}
    daily.update(("n_" + c, counts[i]) for i, c in enumerate(FAULT_CLASSES))
    daily.update(
        verdict=None if p == 0 else (alarm["label"] if alarm else "normal"),
        alarmOnsetMs=alarm["onsetMs"] if alarm else None,
        alarmRaisedMs=alarm["raisedMs"] if alarm else None,
        alarmConfidence=alarm["confidence"] if alarm else None,
        alarmEvidence=alarm["evidence"] if alarm else None,
        alarmSinceMs=alarm_since(alarm, reference.carried_since),
        alarmRaisedAs=alarm.get("raisedAs") if alarm else None,
        alarmLabelledMs=alarm["labelledMs"] if alarm else None,
        baselineDays=int(reference.days),
        baselineGain=None if reference.gain is None else float(reference.gain),
        plantEventWindows=sum(1 for start in starts if start in plant_events),
        meanConfidence=confidence_sum / p if p > 0 else None,
        # the detector does not know the array's design: the predict job names it from the day's registry (pvfault.registry.design_of)
        design=None,
        designSource=None,
        modelVersion=model_version,
    )
    return daily


def day_standing(rows, verdict, threshold_sets, reference=NO_HISTORY, plant_events=NO_EVENTS):
    """How the day's alarm stood at its end (device_baseline dayAlarmStanding: pvfault.alarms.alarm_standing
    over the day's predicted window rows, with the thresholds and the carried label daily_row decided with); None without an alarm."""
    if not is_alarm_label(verdict):
        return None
    predicted = _predicted(rows)
    return alarm_standing([int(r["startMs"]) for r in predicted], [_probabilities(r) for r in predicted],
                          thresholds_for(threshold_sets, reference.days), verdict, plant_events, reference.carried)


def predict_device(row, model, reference=NO_HISTORY):
    """A silver row (dict, arrays as numpy) -> (its gold window rows, its day ratio r), with model a pvfault.model.Lenet.

    The model reads the irradiance channel times the reference's gain (pvfault.windows.with_gain),
    voltage and current per unit of the reference's design (pvfault.windows.to_per_unit);
    r is taken from the measured channels, before the gain (pvfault.baseline.day_ratio), for
    the next day's baseline. Memory is one device-day: four 64 x samples scalograms (~4.4 MB)
    and its windows.
    """
    windows = windows_of(row)
    usable = [w for w in windows if not w[3]]
    measured = filled_channels(row)
    ratio = day_ratio(measured, windows, reference.per_unit)
    probs = window_probabilities(row, to_per_unit(with_gain(measured, reference.gain), reference.per_unit), usable, model)
    return window_rows(row["deviceId"], windows, probs, model.model_version, measured), ratio


def window_probabilities(row, filled, usable, model, edge=None):
    """(len(usable), 6) float32: the model's class probabilities of the usable windows of a device-day.

    filled: the gap-filled channels the model reads (the baseline gain applied, pvfault.windows.with_gain, per unit, to_per_unit);
    usable: windows as windows_of gives them, without a skip reason. The CWT is taken of the
    whole day's series (contracts/detector.json cwt) whatever windows are asked for: the batch
    asks for all, the stream (pvfault.stream) for those whose CWT context has arrived. With an
    edge mode (pvfault.windows.EDGE_MODES), each window is scored as it reads the moment it
    ends instead (pvfault.windows.as_of_end_tensor): the stream's early alarms.
    """
    if not usable:
        return np.zeros((0, _K), dtype=np.float32)
    if edge is not None:
        return np.concatenate([
            model.predict(
                np.stack([as_of_end_tensor(filled, w[0], model.scale, edge) for w in batch]),
                np.stack([window_levels(filled, w[0], model.levels) for w in batch]),
            )
            for batch in (usable[b:b + BATCH] for b in range(0, len(usable), BATCH))
        ])
    scalograms = day_scalograms(row, filled)
    # batches bound the im2col copy of the first convolution (~45 MB for 32 windows)
    return np.concatenate([
        model.predict(
            np.stack([window_tensor(scalograms, w[0], model.scale) for w in batch]),
            np.stack([window_levels(filled, w[0], model.levels) for w in batch]),
        )
        for batch in (usable[b:b + BATCH] for b in range(0, len(usable), BATCH))
    ])
