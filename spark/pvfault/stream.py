"""The streaming path's decisions, as pure functions (spark/jobs/stream_alarms.py wires them into Spark).

The stream raises the alarms the daily batch would raise, while the day is going on. It
calls the batch's own functions (validation, silver row, windows, CWT, model, the CUSUM
decision, the plant gate); what is new here is only *when* each of them may be applied
to a day that is still arriving, so that what it decides is what the batch decides once
the day is complete:

- a reading is taken into a plant-day by the ingest's own rules (validate_stream_records:
  pvfault.ingest.validate_records with the run days of its publish time), so exactly the
  readings the daily ingest takes into silver, and the same set aside;
- the stream's watermark is the latest reading time seen less the contract's lateness
  (tables.json lateness.maxMs): slots before it are taken as complete;
- a window is scored once its CWT context has arrived (ready_windows): pywt's CWT of a
  sample reads the samples up to CWT_CONTEXT.after slots after it (512 at scale 64, 2 h 50 min),
  so a window's scalogram over the day so far equals the one over the whole day once the
  device has a reading at least that far past the window's end, and those slots are behind
  the watermark (no later reading can change them nor the gap fill between them);
- the plant gate of a slot is taken when every slot it may spread from is known
  (settled_gate); a device-day's alarm is decided over its scored windows before the
  first unsettled slot, with the batch's own gold.daily_row: the CUSUM raises at its first
  crossing, so a prefix of the day raises the alarm the whole day raises, if any, as soon
  as the crossing window is in the prefix.

The early tier does not wait for the context after a window: score_windows_early scores each
window as it reads the moment it ends (pvfault.windows.as_of_end_tensor) once its slots are
behind an early watermark (EARLY_LATENESS_MS), and its alarms are decided the same way over
those rows. They come hours sooner and are not the batch's (npm run eval --scoring end-reflect).

Python 3.9-compatible; no pyspark here.
"""
import collections
import math

import numpy as np
import pandas as pd

from pvfault import alarms, gold, ingest
from pvfault.baseline import NO_HISTORY
from pvfault.contracts import GRID_STEP_MS, LATENESS_MS, QUALITY
from pvfault.plantday import plant_date_of
from pvfault.silver import grid_samples, slot_of
from pvfault.windows import WINDOW, cwt_context, filled_channels, to_per_unit, windows_of, with_gain


def validate_stream_records(frame, time_zone):
    """A micro-batch of decoded Kafka records -> pvfault.ingest.VALIDATED_COLUMNS plus `date`.

    Each record is judged by the daily run whose Kafka window surely holds it, the run of
    its publish time's plant-local day, with that run's own rules
    (pvfault.ingest.validate_records): a valid reading of that day is its (inRow); one of the
    day before or after that is in that day's window too is valid and belongs to that
    day (adjacent); one no run takes is set aside (too_late, other_day) as the ingest does.
    `date` is the plant-local day a valid reading belongs to (its measurement's), the publish
    day for a record set aside. Frame columns: those of pvfault.sparkio.decoded_records.
    """
    if len(frame) == 0:
        out = ingest.validate_records(frame, ingest.run_days("2000-01-01", time_zone))
        out["date"] = pd.Series([], dtype=object)
        return out
    publish_days = [plant_date_of(int(p), time_zone) for p in frame["publishMs"].tolist()]
    parts = []
    for day in sorted(set(publish_days)):
        sub = frame[[d == day for d in publish_days]].reset_index(drop=True)
        checked = ingest.validate_records(sub, ingest.run_days(day, time_zone))
        dates = [day] * len(checked)
        for i, (reason, ts) in enumerate(zip(checked["reason"].tolist(), checked["timestamp"].tolist())):
            if reason == "" and not checked["inRow"].iat[i]:
                dates[i] = plant_date_of(int(ts), time_zone)  # a reading of the day before or after
        checked["date"] = dates
        parts.append(checked)
    return pd.concat(parts, ignore_index=True)


def watermark(max_reading_ms, lateness_ms=LATENESS_MS):
    """The stream's watermark: slots before it are complete (the latest reading time seen less the lateness), None before any reading."""
    return None if max_reading_ms is None else int(max_reading_ms) - int(lateness_ms)


def day_closed(watermark_ms, end_ms):
    """A plant-day is complete once the watermark reached its end: every window is scored, the gate settled."""
    return watermark_ms is not None and watermark_ms >= end_ms


def last_final_slot(start_ms, step_ms, samples, last_observed, watermark_ms):
    """The last grid slot up to which a device-day's gap-filled series is final, or -1.

    Final: behind the watermark (no reading still to come) and not past the device's last
    observed slot (`last_observed`, None when it has none: beyond it the gap fill holds the
    last value, which a later reading changes).
    """
    if watermark_ms is None or last_observed is None or last_observed < 0:
        return -1
    behind = int(math.ceil((watermark_ms - start_ms) / float(step_ms))) - 1  # last slot with time < watermark
    return int(min(last_observed, behind, samples - 1))


def final_through(row, watermark_ms):
    """last_final_slot of a device-day row (its last observed slot read from its quality)."""
    observed = np.flatnonzero(np.asarray(row["quality"]) == QUALITY["observed"])
    return last_final_slot(row["startMs"], row["stepMs"], row["samples"], int(observed[-1]) if observed.size else None, watermark_ms)


def windows_ready(samples, last_final, closed):
    """How many of a device-day's windows (from the first) the final tier can score: all once the
    day is closed, else those whose last slot plus the CWT context after it are final (up to last_final)."""
    n = samples // WINDOW
    if closed:
        return n
    _, after = cwt_context()
    # window i's last slot is (i + 1) * WINDOW - 1; it needs slots up to that + after
    return max(0, min(n, (last_final - after + 1) // WINDOW))


def early_windows_ready(samples, last_final, closed):
    """How many of a device-day's windows (from the first) the early tier can score: all once the
    day is closed, else those whose own last slot is final (up to last_final, under the early watermark)."""
    n = samples // WINDOW
    if closed:
        return n
    return max(0, min(n, (last_final + 1) // WINDOW))


def ready_windows(row, watermark_ms, closed):
    """How many of the device-day's windows (from the first) can be scored now (windows_ready)."""
    return windows_ready(row["samples"], final_through(row, watermark_ms), closed)


def ready_counts(start_ms, end_ms, last_reading_ms, marks):
    """{tier: windows ready} of a device-day from its latest valid reading time alone, as the driver
    knows it before any silver row is built: `marks` {tier: (watermark_ms, closed)}.

    The slot of the latest reading is the last observed slot (slot_of is monotonic), clamped to
    the day's last: never less than what final_through reads off the row, so a device this
    finds nothing ready for has indeed nothing ready (ready_devices relies on it)."""
    samples = grid_samples(start_ms, end_ms)
    last = None
    if last_reading_ms is not None:
        last = slot_of(int(last_reading_ms), start_ms, samples)
        if last < 0:
            # past the day's last slot (a reading that rounds to the next day's first), or before the day
            last = samples - 1 if last_reading_ms >= start_ms else None
    out = {}
    for tier, (wm, closed) in marks.items():
        through = last_final_slot(start_ms, GRID_STEP_MS, samples, last, wm)
        out[tier] = windows_ready(samples, through, closed) if tier == "final" else early_windows_ready(samples, through, closed)
    return out


def ready_devices(last_readings, scored, days, marks):
    """The (date, deviceId) whose silver row must be built this micro-batch: those with a window
    newly ready in some tier. The others' rows would score nothing, so the micro-batch neither
    shuffles their readings nor rebuilds their day: with a trigger much shorter than a window
    (60 s against 21 min 20 s) most devices are skipped in most micro-batches.

    last_readings: {(date, deviceId): latest valid reading ms}; scored: {(tier, date, deviceId):
    windows scored by earlier batches}; days: {date: (startMs, endMs)}; marks: {date: {tier:
    (watermark_ms, closed)}}."""
    out = set()
    for (day, device), last in last_readings.items():
        start, end = days[day]
        ready = ready_counts(start, end, last, marks[day])
        if any(n > scored.get((tier, day, device), 0) for tier, n in ready.items()):
            out.add((day, device))
    return out


def context_span(first_index, last_index, samples):
    """(a, b): the slots whose CWT gives windows first_index..last_index their batch coefficients,
    a aligned to a window (so the span's windows are the day's, shifted by a // WINDOW).

    pywt's coefficient of a slot reads cwt_context() slots either side; within [a, b) every slot
    those windows read is present, so their coefficients are the whole day's (the CWT's edge
    falls outside their reach): the stream transforms ~1,100 slots per device and micro-batch
    rather than the day so far (up to 4,320)."""
    before, after = cwt_context()
    a = max(0, first_index * WINDOW - before) // WINDOW * WINDOW
    b = min(samples, (last_index + 1) * WINDOW + after)
    return a, b


def span_probabilities(filled, usable, model):
    """gold.window_probabilities of the usable windows from the CWT of their context_span only."""
    if not usable:
        return gold.window_probabilities(None, filled, usable, model)
    samples = len(filled["voltage"])
    a, b = context_span(usable[0][0], usable[-1][0], samples)
    shift = a // WINDOW
    part = {c: x[a:b] for c, x in filled.items()}
    return gold.window_probabilities(None, part, [(w[0] - shift,) + tuple(w[1:]) for w in usable], model)


def score_windows(row, scored, watermark_ms, closed, model, reference):
    """gold_window rows of the device-day's windows that became ready since `scored` were scored.

    The same rows the batch writes for those windows (pvfault.gold.predict_device): the
    model reads the day's CWT (over the span of the slots these windows read, which is the
    whole day's there: context_span), the irradiance times the baseline's gain, voltage and
    current per unit of the device's design.
    """
    windows = windows_of(row)[scored:ready_windows(row, watermark_ms, closed)]
    if not windows:
        return []
    measured = filled_channels(row)
    usable = [w for w in windows if not w[3]]
    probs = span_probabilities(to_per_unit(with_gain(measured, reference.gain), reference.per_unit), usable, model)
    return gold.window_rows(row["deviceId"], windows, probs, model.model_version, measured)


EARLY_EDGE = "reflect"
"""How an early window stands in for the samples after it (pvfault.windows.EDGE_MODES): measured
by npm run eval --scoring end-reflect against the batch's alarms (docs/model-card.md)."""

EARLY_LATENESS_MS = 2 * 60_000
"""The early tier's watermark delay: readings later than this miss their window's early score
(the gap fill stands in for them) and count only in the final, batch-equal tier."""


def early_ready_windows(row, early_watermark_ms, closed):
    """How many of the device-day's windows (from the first) can be scored as of their own end:
    all once the day is closed, else those whose last slot is final under the early watermark."""
    return early_windows_ready(row["samples"], final_through(row, early_watermark_ms), closed)


def score_windows_early(row, scored, early_watermark_ms, closed, model, reference, edge=EARLY_EDGE):
    """gold_window rows of the windows that became ready for their early score since `scored` were scored.

    Each window reads as it does the moment it ends (pvfault.windows.as_of_end_tensor): no wait
    for the CWT context after it, so its probabilities are not the batch's. The early tier's
    alarms are decided over these rows; the final tier's (score_windows) are the batch's.
    """
    windows = windows_of(row)[scored:early_ready_windows(row, early_watermark_ms, closed)]
    if not windows:
        return []
    measured = filled_channels(row)
    usable = [w for w in windows if not w[3]]
    probs = gold.window_probabilities(row, to_per_unit(with_gain(measured, reference.gain), reference.per_unit), usable, model, edge=edge)
    return gold.window_rows(row["deviceId"], windows, probs, model.model_version, measured)


def slot_complete(start_ms, watermark_ms, closed, after=None):
    """A window slot of the plant is complete when every device's window of it can be scored: its
    end and `after` slots past it (default: the CWT context; the early tier: 0) are behind the watermark."""
    if closed:
        return True
    if after is None:
        _, after = cwt_context()
    return watermark_ms is not None and start_ms + (WINDOW + after) * GRID_STEP_MS <= watermark_ms


def window_slots(window_rows):
    """{startMs: (predicted, offNormal)} of a plant-day's window rows, every start they hold (a slot
    of skipped windows only has 0 predicted): per slot, what pvfault.alarms.plant_slots counts. The
    streaming job computes the same with a Spark aggregation over its window state, without
    collecting the rows (spark/jobs/stream_alarms.py slot_counts)."""
    below = alarms.PLANT_GATE["normalBelow"]
    out = {}
    for r in window_rows:
        start = int(r["startMs"])
        predicted, off = out.get(start, (0, 0))
        if r["status"] == "predicted":
            predicted += 1
            if float(r["p_normal"]) < below:
                off += 1
        out[start] = (predicted, off)
    return out


def settled_gate(window_rows, watermark_ms, closed, after=None):
    """(plant events, settled_before_ms) of a plant-day from its window rows so far (settled_gate_of_slots of window_slots)."""
    return settled_gate_of_slots(window_slots(window_rows), watermark_ms, closed, after)


def settled_gate_of_slots(slot_counts, watermark_ms, closed, after=None):
    """(plant events, settled_before_ms) of a plant-day from its window_slots so far.

    The events are pvfault.alarms.plant_events over the complete slots. A slot that is no
    event now can still become one: an event spreads back through neighbours off normal by
    extendShare, so a later slot may reach it. Which can is found with plant_events itself:
    the slots that would be events if the next slot were an event for certain are exactly
    those. Decisions are taken over the windows before the first slot that is incomplete
    or unsettled (settled_before_ms; None: all).
    """
    slots = [(start, predicted, off) for start, (predicted, off) in sorted(slot_counts.items())
             if predicted > 0 and slot_complete(start, watermark_ms, closed, after)]
    events = alarms.plant_events(slots)
    incomplete = sorted(start for start in slot_counts if not slot_complete(start, watermark_ms, closed, after))
    limit = incomplete[0] if incomplete else None
    if not closed and slots:
        devices = max(alarms.PLANT_GATE["minDevices"], max(d for _, d, _ in slots))
        nxt = slots[-1][0] + WINDOW * GRID_STEP_MS
        possible = alarms.plant_events(slots + [(nxt, devices, devices)])
        unsettled = sorted(s for s in possible if s not in events and s != nxt)
        if unsettled:
            limit = unsettled[0] if limit is None else min(limit, unsettled[0])
        elif limit is None:
            limit = nxt  # the next slot is not in yet
    return events, limit


def gate_record(gate):
    """A gate (events, settled_before_ms) as the progress record keeps it: [sorted events, limit]."""
    events, limit = gate
    return [sorted(int(e) for e in events), limit]


def decisions_unchanged(new_rows, gate, before, closing=False):
    """Whether a plant-day's decisions of this micro-batch would be the last one's: no window row
    of the day was scored since (new_rows: none), and its gate (events, settled_before_ms) is the
    one the last decision read (`before`: as recorded in the progress, [sorted events, limit], or
    None when none was), and the day is not closing with this batch (`closing`: the last decision
    of a day publishes the alarms that waited for their label, new_alarms until_labelled). The
    decisions read nothing else that can change (the raised devices only grow, baselines and model
    are the day's), so the job then neither collects the day's window rows nor decides again: most
    micro-batches of a short trigger, which score no window."""
    if new_rows or before is None or closing:
        return False
    return gate_record(gate) == [list(before[0]), before[1]]


ALARM_COLUMNS = (
    ("deviceId", "string"), ("date", "string"), ("label", "string"),
    ("onsetMs", "int64"), ("raisedMs", "int64"), ("sinceMs", "int64"), ("raisedAs", "string"), ("labelledMs", "int64"), ("detectedMs", "int64"),
    ("confidence", "float64"), ("evidence", "float64"), ("windows", "int32"),
    ("baselineDays", "int32"), ("baselineGain", "float64"), ("modelVersion", "string"), ("batchId", "int64"),
)
"""A streaming alarm: the day's alarm as gold_daily holds it (label = verdict, onset, raised, since
when the array has been alarmed for the fault (alarmSinceMs: an alarm carried in from the day
before is open since an earlier day; None when that day did not record it), the group it was
raised as before it was labelled (alarmRaisedAs) and when the decision labelled it (alarmLabelledMs;
None: not yet, an early alarm of the group only), confidence, evidence,
the windows of the run), the baseline it was judged against, when the
stream knew it (detectedMs: the latest reading time seen, plant time) and the micro-batch
that raised it (its idempotency key with deviceId and date)."""


def new_alarms(date, rows_by_device, events, settled_before_ms, threshold_sets, references, model_version, raised, detected_ms, batch_id,
               raise_sets=None, until_labelled=False):
    """The alarms of a plant-day raised now: for each device without one yet (raised: its ids),
    gold.daily_row over its window rows before settled_before_ms, with the plant events and the
    model's raise thresholds (raise_sets: pvfault.model.Lenet.raise_thresholds; None: one stage).

    references: {deviceId: pvfault.baseline.Reference}. The decision raises at its first
    crossing, and the second stage at the first window its group's evidence reaches the raise
    threshold, so an alarm found over a prefix of the day is raised when the day's (the batch's)
    is; but a group raised early takes the label the decision gives it later in the day
    (contracts/detector.json alarms.raise), and a group that crossed its own threshold may still be
    named by a member class later in the day (alarms.groupLabel). until_labelled: leave such an
    alarm (labelledMs None, or a group's label) for a later batch, so that the alarm published is
    the batch's (the final tier until its day closes, when the label the day gave is the batch's
    too); the early tier publishes it at once.
    """
    out = []
    for device_id in sorted(rows_by_device):
        if device_id in raised:
            continue
        alarm = _day_alarm(date, device_id, rows_by_device[device_id], events, settled_before_ms, threshold_sets, references, model_version,
                           detected_ms, batch_id, raise_sets)
        if alarm is None or (until_labelled and (alarm["labelledMs"] is None or alarm["label"] in alarms.GROUPS)):
            continue
        out.append(alarm)
    return out


def new_labels(date, rows_by_device, events, settled_before_ms, threshold_sets, references, model_version, pending, detected_ms, batch_id,
               raise_sets=None):
    """The early tier's alarms of a plant-day that the day's decision has labelled since they were
    published (pending: the ids of the devices whose early alarm went out as its group, labelledMs
    None; contracts/detector.json alarms.raise): each device's alarm as the day's decision now
    gives it, with its label and labelledMs, once that is set. The operator learns the class
    while the day goes on rather than from the final alarm at the day's end; a device whose
    group is never named gets none."""
    out = []
    for device_id in sorted(pending):
        if device_id not in rows_by_device:
            continue
        alarm = _day_alarm(date, device_id, rows_by_device[device_id], events, settled_before_ms, threshold_sets, references, model_version,
                           detected_ms, batch_id, raise_sets)
        if alarm is not None and alarm["labelledMs"] is not None:
            out.append(alarm)
    return out


def _day_alarm(date, device_id, device_rows, events, settled_before_ms, threshold_sets, references, model_version, detected_ms, batch_id, raise_sets):
    """A device's alarm of the day so far (ALARM_COLUMNS), decided by gold.daily_row over its window
    rows before settled_before_ms; None without one."""
    rows = [r for r in device_rows if settled_before_ms is None or int(r["startMs"]) < settled_before_ms]
    if not rows:
        return None
    daily = gold.daily_row(device_id, rows, model_version, threshold_sets, references.get(device_id, NO_HISTORY), events, raise_sets)
    if daily["alarmOnsetMs"] is None:
        return None
    run = [r for r in rows if r["status"] == "predicted" and daily["alarmOnsetMs"] <= int(r["startMs"]) < daily["alarmRaisedMs"] and int(r["startMs"]) not in events]
    return {
        "deviceId": device_id, "date": date, "label": daily["verdict"],
        "onsetMs": int(daily["alarmOnsetMs"]), "raisedMs": int(daily["alarmRaisedMs"]),
        "sinceMs": None if daily["alarmSinceMs"] is None else int(daily["alarmSinceMs"]),
        "raisedAs": daily["alarmRaisedAs"], "labelledMs": None if daily["alarmLabelledMs"] is None else int(daily["alarmLabelledMs"]),
        "detectedMs": int(detected_ms),
        "confidence": float(daily["alarmConfidence"]), "evidence": float(daily["alarmEvidence"]), "windows": len(run),
        "baselineDays": int(daily["baselineDays"]), "baselineGain": daily["baselineGain"], "modelVersion": model_version,
        "batchId": int(batch_id),
    }


TIERS = ("early", "final")
"""The stream's two alarms of a device-day: early (its windows scored the moment each ends,
score_windows_early) and final (the batch's alarm, score_windows)."""


Message = collections.namedtuple("Message", "prefix type subject")

MESSAGES = {
    "final": Message("", "pv-fault-alarm", "PV fault alarm %(deviceId)s %(label)s"),
    "early": Message("early/", "pv-fault-early-alarm", "PV fault early alarm %(deviceId)s %(label)s"),
    "early_label": Message("early-label/", "pv-fault-early-label", "PV fault early alarm %(deviceId)s named %(label)s"),
}
"""Per kind of notification: its key's prefix, its type and its subject (SNS, e-mail). early_label:
an early alarm published as its group, now labelled by the day's decision (new_labels); its tier is early."""


def _message_kind(kind):
    if kind not in MESSAGES:
        raise ValueError("kind must be one of %s, got %r" % (", ".join(MESSAGES), kind))
    return MESSAGES[kind]


def alarm_subject(alarm, kind="final"):
    """The subject line of an alarm's notification (an SNS subject: under 100 ASCII characters)."""
    return _message_kind(kind).subject % {"deviceId": alarm["deviceId"], "label": alarm["label"]}


def alarm_message(alarm, kind="final"):
    """The notification of an alarm (JSON-able), and its idempotency key: one message per device-day and kind.

    A final alarm keeps the key and type it always had (date/deviceId, pv-fault-alarm); an early
    one is early/date/deviceId, of type pv-fault-early-alarm, and the label an early alarm of a
    group gets later that day early-label/date/deviceId, of type pv-fault-early-label, so a
    subscriber that acts on final alarms only filters on the type."""
    message = _message_kind(kind)
    key = "%s%s/%s" % (message.prefix, alarm["date"], alarm["deviceId"])
    return key, {"type": message.type, "key": key, "tier": "final" if kind == "final" else "early",
                 **{k: alarm[k] for k, _ in ALARM_COLUMNS}}
