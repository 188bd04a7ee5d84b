"""The streaming path's decisions (pvfault.stream): a day fed to them as it arrives gives the
batch's scalograms, probabilities, plant gate and alarms for the same day."""
import json
import os

import numpy as np
import pandas as pd
import pytest
import pywt

from conftest import REPO
from pvfault import alarms, gold, ingest, stream
from pvfault.baseline import NO_HISTORY, Reference
from pvfault.contracts import FAULT_CLASSES, GRID_STEP_MS, LATENESS_MS
from pvfault.model import Lenet
from pvfault.silver import build_silver_row
from pvfault.windows import DEFAULT_PER_UNIT, WINDOW, day_scalograms, filled_channels
from tolerance import assert_within_ulps

TZ = "Europe/Madrid"
DATE = "2025-11-20"
START = 1_763_593_200_000  # 2025-11-20 00:00 Europe/Madrid
END = START + 86_400_000
SAMPLES = 4320
HOUR = 3_600_000
WINDOW_MS = WINDOW * GRID_STEP_MS
ARTIFACTS = os.path.join(REPO, "detector", "model", "artifacts")


def test_the_cwt_context_is_the_reach_of_the_widest_wavelet():
    before, after = stream.cwt_context()
    assert (before, after) == (513, 512)  # pywt's morl at scale 64: a 1025-tap filter, then a difference
    rng = np.random.default_rng(3)
    x = rng.normal(size=SAMPLES)
    i = 30
    first, last = i * WINDOW, (i + 1) * WINDOW - 1
    base, _ = pywt.cwt(x, [64], "morl")
    far = x.copy()
    far[last + after + 1] += 100.0  # just out of reach of the window's last sample
    far[first - before - 1] += 100.0  # and of its first
    moved, _ = pywt.cwt(far, [64], "morl")
    assert_within_ulps(moved[0, first:last + 1], base[0, first:last + 1], 4, "outside the context")
    near = x.copy()
    near[last + after] += 100.0  # the last sample within reach
    touched, _ = pywt.cwt(near, [64], "morl")
    assert abs(touched[0, last] - base[0, last]) > 1e-3


def _readings(current=lambda t: 5 + np.cos(t / 200), gaps=((1500, 1502), (2000, 2030))):
    """A device's readings of the day, in time order, with a short gap (filled by silver) and a long one (by the CWT's gap fill)."""
    t = np.arange(SAMPLES)
    irr = np.clip(900 * np.sin(np.pi * (t - 1000) / 2400), 0, None)
    volt = 300 + 50 * np.sin(t / 300)
    temp = 20 + t / 1000
    cur = current(t)
    skip = set()
    for a, b in gaps:
        skip.update(range(a, b))
    return [{"timestamp": START + s * GRID_STEP_MS + 1000, "voltage": float(np.float32(volt[s])), "current": float(np.float32(cur[s])),
             "temperature": float(np.float32(temp[s])), "irradiance": float(np.float32(irr[s]))} for s in range(SAMPLES) if s not in skip]


def _row(device_id, readings):
    return build_silver_row(device_id, START, END, readings, received=len(readings), quarantined=0)


def _arrivals(step_ms=40 * 60_000):
    """The stream's view as the day goes on: (latest reading time seen) every step, past the day's end plus the lateness."""
    t = START + step_ms
    while t < END + LATENESS_MS + step_ms:
        yield t
        t += step_ms


def _stream_windows(devices, model, references, on_step=None, step_ms=40 * 60_000):
    """Feeds each device's readings as they arrive (by reading time) and scores the ready windows: {device: rows}, [(watermark, device, new rows)]."""
    scored = {d: [] for d in devices}
    for seen in _arrivals(step_ms):
        wm = stream.watermark(seen)
        closed = stream.day_closed(wm, END)
        for d, readings in devices.items():
            row = _row(d, [r for r in readings if r["timestamp"] <= seen])
            new = stream.score_windows(row, len(scored[d]), wm, closed, model, references.get(d, NO_HISTORY))
            # a window is scored once, when it is ready: never again
            assert [r["windowIndex"] for r in new] == list(range(len(scored[d]), len(scored[d]) + len(new)))
            for r in new:
                assert closed or r["endMs"] + stream.cwt_context()[1] * GRID_STEP_MS <= wm
            scored[d].extend(new)
        if on_step:
            on_step(seen, wm, closed, scored)
    return scored


def _probs(rows):
    return np.array([[r["p_" + c] for c in FAULT_CLASSES] for r in rows if r["status"] == "predicted"], dtype=np.float64)


@pytest.mark.parametrize("reference", [NO_HISTORY, Reference(1.05, 3)])
def test_windows_scored_as_the_day_arrives_are_the_batchs(reference):
    model = Lenet.load(ARTIFACTS)
    readings = _readings()
    streamed = _stream_windows({"PV-1": readings}, model, {"PV-1": reference})["PV-1"]
    batch, _ = gold.predict_device(_row("PV-1", readings), model, reference)
    assert len(streamed) == len(batch) == 67
    for s, b in zip(streamed, batch):
        assert (s["windowIndex"], s["startMs"], s["status"], s["skipReason"], s["label"]) == (b["windowIndex"], b["startMs"], b["status"], b["skipReason"], b["label"])
        for key, _ in gold.MEAN_COLUMNS:
            assert (s[key] is None) == (b[key] is None) and (s[key] is None or abs(s[key] - b[key]) <= 1e-9 * max(1.0, abs(b[key])))
    # the contract's tolerance between engines (test/engines/realEngines.test.ts): 1e-5
    np.testing.assert_allclose(_probs(streamed), _probs(batch), rtol=0, atol=1e-5)
    assert len(_probs(batch)) > 30


def test_the_scalogram_of_a_ready_window_over_the_day_so_far_is_the_whole_days():
    readings = _readings()
    whole = _row("PV-1", readings)
    seen = START + 30 * WINDOW_MS + 5 * HOUR
    partial = _row("PV-1", [r for r in readings if r["timestamp"] <= seen])
    n = stream.ready_windows(partial, stream.watermark(seen + LATENESS_MS), False)
    assert 0 < n < 67
    a, b = day_scalograms(partial, filled_channels(partial)), day_scalograms(whole, filled_channels(whole))
    for c in a:
        assert_within_ulps(a[c][:, :n * WINDOW], b[c][:, :n * WINDOW], 4, c)
        # the next window is not ready, and indeed differs: the day so far ends inside its context
        assert not np.allclose(a[c][:, n * WINDOW:(n + 1) * WINDOW], b[c][:, n * WINDOW:(n + 1) * WINDOW], rtol=0, atol=1e-7)


def test_a_window_waits_for_its_context_behind_the_watermark_and_for_a_reading_past_it():
    _, after = stream.cwt_context()
    readings = _readings(gaps=())
    row = _row("PV-1", readings)
    # window 0 needs slots up to 63 + after final
    need = START + (WINDOW - 1 + after) * GRID_STEP_MS
    assert stream.ready_windows(row, need, False) == 0  # slot `need` is not behind a watermark equal to it
    assert stream.ready_windows(row, need + 1, False) == 1
    assert stream.ready_windows(row, None, False) == 0
    # a device silent since slot 600: nothing past it is final, whatever the watermark
    quiet = _row("PV-1", readings[:600])
    assert stream.ready_windows(quiet, END, False) == (600 - after) // WINDOW
    assert stream.ready_windows(quiet, END, True) == 67
    assert stream.day_closed(stream.watermark(END + LATENESS_MS), END) and not stream.day_closed(stream.watermark(END + LATENESS_MS - 1), END)


class _LevelModel(object):
    """A stand-in model: a window is an open circuit when its mean current (level feature 2, asinh of the mean, per unit of the default design's 14 A) is under 2 A."""
    scale = {"voltage": 1, "current": 1, "temperature": 1, "irradiance": 1}
    levels = {"center": [0] * 8, "spread": [1] * 8}
    model_version = "levels"

    def predict(self, images, levels):
        out = np.full((len(levels), len(FAULT_CLASSES)), 0.02, dtype=np.float32)
        faulty = levels[:, 2] < np.arcsinh(2.0 / DEFAULT_PER_UNIT.impStcA)
        out[faulty, FAULT_CLASSES.index("open_circuit")] = 0.9
        out[~faulty, FAULT_CLASSES.index("normal")] = 0.9
        return out


def _thresholds():
    with open(os.path.join(ARTIFACTS, "alarms.json"), encoding="utf-8") as f:
        return alarms.check_threshold_sets(json.load(f)["thresholds"], "alarms.json")


def test_alarms_raised_as_the_day_arrives_are_the_batchs_once_each():
    broken_from = 2300
    devices = {
        "PV-OK": _readings(),
        "PV-OPEN": _readings(current=lambda t: np.where(t >= broken_from, 0.5, 5 + np.cos(t / 200))),
        "PV-LATE": _readings(current=lambda t: np.where(t >= 3000, 0.5, 5 + np.cos(t / 200))),
    }
    model, sets = _LevelModel(), _thresholds()
    raised = {}

    def step(seen, wm, closed, scored):
        rows = [r for rs in scored.values() for r in rs]
        events, before = stream.settled_gate(rows, wm, closed)
        for a in stream.new_alarms(DATE, scored, events, before, sets, {}, model.model_version, set(raised), seen, 7):
            assert a["deviceId"] not in raised
            raised[a["deviceId"]] = a

    scored = _stream_windows(devices, model, {}, step)
    all_rows = [r for rs in scored.values() for r in rs]
    events = alarms.plant_events(alarms.plant_slots(all_rows))
    for d in devices:
        batch_rows, _ = gold.predict_device(_row(d, devices[d]), model)
        daily = gold.daily_row(d, batch_rows, model.model_version, sets, NO_HISTORY, events)
        if daily["alarmOnsetMs"] is None:
            assert d not in raised
            continue
        a = raised[d]
        assert (a["label"], a["onsetMs"], a["raisedMs"], a["sinceMs"]) == (daily["verdict"], daily["alarmOnsetMs"], daily["alarmRaisedMs"], daily["alarmSinceMs"])
        assert a["confidence"] == pytest.approx(daily["alarmConfidence"]) and a["evidence"] == pytest.approx(daily["alarmEvidence"])
        # known once the crossing window's CWT context is behind the watermark: at least that long after it
        assert a["detectedMs"] >= a["raisedMs"] + stream.cwt_context()[1] * GRID_STEP_MS + LATENESS_MS
        assert a["detectedMs"] <= a["raisedMs"] + stream.cwt_context()[1] * GRID_STEP_MS + LATENESS_MS + 2 * 40 * 60_000
    assert set(raised) == {"PV-OPEN", "PV-LATE"}
    assert raised["PV-OPEN"]["label"] in ("open_circuit", "string_blocked")
    assert raised["PV-OPEN"]["onsetMs"] <= START + (broken_from + WINDOW) * GRID_STEP_MS


def test_deciding_only_when_a_window_was_scored_or_the_gate_moved_raises_the_same_alarms_at_the_same_time():
    """The job skips a day's decisions when nothing they read changed (stream.decisions_unchanged):
    fed in steps much shorter than a window, the alarms and when they are known stay those of
    deciding at every step, and most steps decide nothing."""
    devices = {
        "PV-OK": _readings(),
        "PV-OPEN": _readings(current=lambda t: np.where(t >= 2300, 0.5, 5 + np.cos(t / 200))),
        "PV-LATE": _readings(current=lambda t: np.where(t >= 3000, 0.5, 5 + np.cos(t / 200))),
    }
    model, sets = _LevelModel(), _thresholds()
    every, skipping = {}, {}
    last = {"gate": None, "rows": 0, "decided": 0, "steps": 0}

    def step(seen, wm, closed, scored):
        rows = [r for rs in scored.values() for r in rs]
        gate = stream.settled_gate_of_slots(stream.window_slots(rows), wm, closed)
        assert gate == stream.settled_gate(rows, wm, closed)
        for a in stream.new_alarms(DATE, scored, gate[0], gate[1], sets, {}, model.model_version, set(every), seen, 7):
            every[a["deviceId"]] = a
        new = rows[last["rows"]:] if len(rows) > last["rows"] else []
        last["steps"] += 1
        if not stream.decisions_unchanged(new, gate, last["gate"]):
            last["decided"] += 1
            for a in stream.new_alarms(DATE, scored, gate[0], gate[1], sets, {}, model.model_version, set(skipping), seen, 7):
                skipping[a["deviceId"]] = a
        last["gate"], last["rows"] = [sorted(gate[0]), gate[1]], len(rows)

    _stream_windows(devices, model, {}, step, step_ms=7 * 60_000)
    assert set(every) == {"PV-OPEN", "PV-LATE"}
    assert skipping == every  # the same alarms, known at the same reading time (detectedMs)
    assert last["decided"] < last["steps"] / 2


def test_a_gate_that_moves_without_a_new_window_decides_again():
    """A final window is ready once the watermark is past its last context slot's start, its slot
    complete only once the watermark reaches its end: a micro-batch may score the crossing window
    before its slot settles, and the next raise its alarm without scoring anything."""
    readings = _readings(current=lambda t: np.where(t >= 2300, 0.5, 5 + np.cos(t / 200)))
    model, sets = _LevelModel(), _thresholds()
    batch_rows, _ = gold.predict_device(_row("PV-OPEN", readings), model)
    daily = gold.daily_row("PV-OPEN", batch_rows, model.model_version, sets, NO_HISTORY)
    crossing = (daily["alarmRaisedMs"] - START) // WINDOW_MS - 1
    k = (crossing + 1) * WINDOW + stream.cwt_context()[1]  # the crossing window is ready once wm > START + (k - 1) slots
    row = _row("PV-OPEN", readings)
    wm1, wm2 = START + k * GRID_STEP_MS - 10_000, START + k * GRID_STEP_MS
    rows = stream.score_windows(row, 0, wm1, False, model, NO_HISTORY)
    assert len(rows) == crossing + 1  # the crossing window is scored ...
    gate1 = stream.settled_gate(rows, wm1, False)
    assert gate1[1] <= START + crossing * WINDOW_MS  # ... but its slot is not settled: no alarm yet
    assert stream.new_alarms(DATE, {"PV-OPEN": rows}, gate1[0], gate1[1], sets, {}, model.model_version, set(), wm1, 1) == []
    assert stream.score_windows(row, len(rows), wm2, False, model, NO_HISTORY) == []  # nothing new to score
    gate2 = stream.settled_gate(rows, wm2, False)
    assert not stream.decisions_unchanged([], gate2, [sorted(gate1[0]), gate1[1]])
    raised = stream.new_alarms(DATE, {"PV-OPEN": rows}, gate2[0], gate2[1], sets, {}, model.model_version, set(), wm2, 2)
    assert [(a["deviceId"], a["raisedMs"]) for a in raised] == [("PV-OPEN", daily["alarmRaisedMs"])]


def test_the_gates_counts_per_slot_are_what_plant_slots_counts():
    rows = _slot_rows(START, 7, 3) + _slot_rows(START + WINDOW_MS, 5, 5) + [{"deviceId": "PV-X", "startMs": START + 2 * WINDOW_MS, "status": "skipped", "p_normal": None}]
    counts = stream.window_slots(rows)
    assert counts == {START: (7, 3), START + WINDOW_MS: (5, 5), START + 2 * WINDOW_MS: (0, 0)}
    assert [(s, p, o) for s, (p, o) in sorted(counts.items()) if p] == alarms.plant_slots(rows)


def test_decisions_are_unchanged_only_without_a_new_window_and_with_the_recorded_gate():
    gate = (frozenset([START + WINDOW_MS, START]), START + 3 * WINDOW_MS)
    recorded = [[START, START + WINDOW_MS], START + 3 * WINDOW_MS]
    assert stream.decisions_unchanged([], gate, recorded)
    assert stream.decisions_unchanged([], gate, json.loads(json.dumps(recorded)))  # as the progress record gives it back
    assert not stream.decisions_unchanged([{"startMs": START}], gate, recorded)
    assert not stream.decisions_unchanged([], gate, None)  # no decision recorded (a progress record from before)
    assert not stream.decisions_unchanged([], (gate[0], START + 4 * WINDOW_MS), recorded)  # the limit moved
    assert not stream.decisions_unchanged([], (frozenset([START]), gate[1]), recorded)  # an event changed
    assert not stream.decisions_unchanged([], (gate[0], None), recorded)  # the day closed


def _slot_rows(start, devices, off):
    p_normal = lambda k: 0.2 if k < off else 0.9  # noqa: E731
    return [{"deviceId": "PV-%02d" % k, "startMs": start, "status": "predicted", "p_normal": p_normal(k)} for k in range(devices)]


def test_a_slot_the_gate_may_still_reach_holds_the_decisions_back_until_it_is_settled():
    g = alarms.PLANT_GATE
    n = max(g["minDevices"], 20)
    s0, s1, s2 = START + 20 * WINDOW_MS, START + 21 * WINDOW_MS, START + 22 * WINDOW_MS
    _, after = stream.cwt_context()
    complete = lambda s: s + (WINDOW + after) * GRID_STEP_MS  # noqa: E731
    quiet = _slot_rows(s0, n, 0)
    edge = _slot_rows(s1, n, int(np.ceil(g["extendShare"] * n)))  # off normal enough to be reached, not to start an event
    assert int(np.ceil(g["extendShare"] * n)) < g["minShare"] * n
    event = _slot_rows(s2, n, n)
    # s1 complete, s2 not yet: s1 may still become an event, decisions stop before it
    events, before = stream.settled_gate(quiet + edge + event, complete(s1), False)
    assert events == frozenset() and before == s1
    # s2 complete: the event spreads back to s1, both settled; decisions wait for the slot after s2
    events, before = stream.settled_gate(quiet + edge + event, complete(s2), False)
    assert events == alarms.plant_events(alarms.plant_slots(quiet + edge + event)) == frozenset([s1, s2])
    assert before == s2 + WINDOW_MS
    # a quiet slot is settled at once; the day closed, nothing is held back
    assert stream.settled_gate(quiet, complete(s0), False) == (frozenset(), s0 + WINDOW_MS)
    assert stream.settled_gate(quiet + edge, complete(s0), True) == (frozenset(), None)


def _f32(x):
    return float(np.float32(x))


def _record(ts, published, device="PV-000001", offset=0):
    r = {"deviceId": device, "timestamp": ts, "voltage": 300.0, "current": 5.0, "temperature": 20.0, "irradiance": 500.0}
    return {"key": device, "value": b"\0" * ingest.encoded_length(device, ts), "decoded": True, "deviceId": device, "timestamp": ts,
            **{c: _f32(r[c]) for c in ("voltage", "current", "temperature", "irradiance")},
            "publishMs": published, "kafkaPartition": 0, "kafkaOffset": offset}


def test_readings_go_to_the_day_the_daily_ingest_takes_them_into():
    noon = START + 12 * HOUR
    records = [
        _record(noon, noon + 2000, offset=0),  # on time
        _record(noon + 20_000, END + HOUR, offset=1),  # late, inside the day's Kafka window: the day's
        _record(noon + 40_000, END + 4 * HOUR, offset=2),  # after the window closed: no run takes it
        _record(END + HOUR, END + HOUR + 2000, offset=3),  # the next day's, published then
        _record(noon + 60_000, noon + 2000, device="bad id", offset=4),
    ]
    frame = pd.DataFrame(records)
    for c in ("voltage", "current", "temperature", "irradiance"):
        frame[c] = frame[c].astype(np.float32)
    out = stream.validate_stream_records(frame, TZ).sort_values("kafkaOffset").reset_index(drop=True)
    assert out["reason"].tolist() == ["", "", "too_late", "", "bad_device_id"]
    assert out["date"].tolist() == [DATE, DATE, "2025-11-21", "2025-11-21", DATE]
    # the daily ingest of DATE reads the first two into its silver row, sets the third aside
    day = ingest.validate_records(frame.iloc[:2], ingest.run_days(DATE, TZ))
    assert day["inRow"].tolist() == [True, True] and day["reason"].tolist() == ["", ""]
    assert stream.validate_stream_records(frame.iloc[:0], TZ).columns.tolist()[-1] == "date"


def test_an_alarms_message_is_keyed_by_its_device_day():
    alarm = {k: None for k, _ in stream.ALARM_COLUMNS}
    alarm.update(deviceId="PV-1", date=DATE, label="open_circuit")
    key, message = stream.alarm_message(alarm)
    assert key == "%s/PV-1" % DATE and message["label"] == "open_circuit" and message["type"] == "pv-fault-alarm"
    json.dumps(message)


def test_an_early_window_is_scored_as_soon_as_its_own_slots_are_behind_the_early_watermark():
    readings = _readings(gaps=())
    row = _row("PV-1", readings)
    end0 = START + (WINDOW - 1) * GRID_STEP_MS  # window 0's last slot
    assert stream.early_ready_windows(row, end0, False) == 0
    assert stream.early_ready_windows(row, end0 + 1, False) == 1
    assert stream.early_ready_windows(row, None, False) == 0
    quiet = _row("PV-1", readings[:600])
    assert stream.early_ready_windows(quiet, END, False) == 600 // WINDOW  # nothing past its last reading
    assert stream.early_ready_windows(quiet, END, True) == 67
    # hours before the final tier may score the same window
    _, after = stream.cwt_context()
    assert stream.ready_windows(row, end0 + 1, False) == 0 and after * GRID_STEP_MS > 2 * HOUR


def test_early_windows_read_nothing_after_them_and_are_near_the_batchs():
    model = Lenet.load(ARTIFACTS)
    readings = _readings(gaps=())
    whole = _row("PV-1", readings)
    seen = START + 40 * WINDOW_MS + 60_000
    partial = _row("PV-1", [r for r in readings if r["timestamp"] <= seen])
    wm = stream.watermark(seen, stream.EARLY_LATENESS_MS)
    early = stream.score_windows_early(partial, 0, wm, False, model, NO_HISTORY)
    assert len(early) == stream.early_ready_windows(partial, wm, False) == 39
    # the same windows scored with the whole day known: the same rows, as they read at their end
    later = stream.score_windows_early(whole, 0, END, True, model, NO_HISTORY)[:39]
    np.testing.assert_allclose(_probs(early), _probs(later), rtol=0, atol=1e-6)
    batch, _ = gold.predict_device(whole, model, NO_HISTORY)
    a, b = _probs(early), _probs(batch[:39])
    assert len(a) == len(b) > 10
    assert not np.allclose(a, b, rtol=0, atol=1e-5)  # not the batch's scalograms
    assert (a.argmax(axis=1) == b.argmax(axis=1)).mean() > 0.8  # but mostly the batch's labels


def test_an_early_slot_is_complete_when_its_window_ended_behind_the_watermark():
    start = START + 10 * WINDOW_MS
    assert not stream.slot_complete(start, start + WINDOW_MS, False)  # the final tier waits for the context
    assert stream.slot_complete(start, start + WINDOW_MS, False, after=0)
    assert not stream.slot_complete(start, start + WINDOW_MS - 1, False, after=0)


def test_an_early_alarms_message_has_its_own_key_and_type():
    alarm = {k: None for k, _ in stream.ALARM_COLUMNS}
    alarm.update(deviceId="PV-1", date=DATE, label="arc_fault")
    key, message = stream.alarm_message(alarm, "early")
    assert key == "early/%s/PV-1" % DATE and message["type"] == "pv-fault-early-alarm" and message["tier"] == "early"
    assert stream.alarm_message(alarm)[1]["tier"] == "final"
    key, message = stream.alarm_message(alarm, "early_label")
    assert key == "early-label/%s/PV-1" % DATE and message["type"] == "pv-fault-early-label" and message["tier"] == "early"
    with pytest.raises(ValueError, match="kind must be"):
        stream.alarm_message(alarm, "late")


def _marks(seen, closed=False):
    return {"final": (stream.watermark(seen), closed), "early": (stream.watermark(seen, stream.EARLY_LATENESS_MS), closed)}


@pytest.mark.parametrize("gaps", [(), ((1500, 1502), (2000, 2030)), ((0, 300), (1990, 2600))])
def test_the_windows_ready_from_the_latest_reading_alone_are_those_the_row_gives(gaps):
    """The driver picks the devices to rebuild from their latest reading time (ready_counts);
    the row built later must find the same windows ready, or a window would wait a micro-batch."""
    readings = _readings(gaps=gaps)
    for seen in list(_arrivals(step_ms=17 * 60_000)) + [END + LATENESS_MS]:
        known = [r for r in readings if r["timestamp"] <= seen]
        row = _row("PV-1", known)
        marks = _marks(seen, stream.day_closed(stream.watermark(seen), END))
        counts = stream.ready_counts(START, END, max(r["timestamp"] for r in known) if known else None, marks)
        wm, closed = marks["final"]
        ewm, eclosed = marks["early"]
        assert counts == {"final": stream.ready_windows(row, wm, closed), "early": stream.early_ready_windows(row, ewm, eclosed)}, seen


def test_a_reading_past_the_days_last_slot_counts_as_the_last_slot():
    # 10 s before midnight rounds to the next day's first slot: the day's last observed slot is at most its last
    counts = stream.ready_counts(START, END, END - 10_000, {"early": (END, False), "final": (END, False)})
    assert counts["early"] == 67 and counts["final"] == (SAMPLES - stream.cwt_context()[1]) // WINDOW
    assert stream.ready_counts(START, END, None, {"early": (END, False)}) == {"early": 0}


def test_only_devices_with_a_window_newly_ready_are_rebuilt():
    days = {DATE: (START, END)}
    seen = START + 10 * WINDOW_MS + 5 * 60_000  # window 9 ended 5 min ago
    marks = {DATE: _marks(seen)}
    last = {(DATE, "PV-1"): seen, (DATE, "PV-2"): seen, (DATE, "PV-3"): START + 3 * WINDOW_MS}
    scored = {("early", DATE, "PV-1"): 10, ("early", DATE, "PV-2"): 9, ("early", DATE, "PV-3"): 3}
    # PV-1 has its 10 windows, PV-2 waits for its 10th, PV-3 fell silent after its 3rd
    assert stream.ready_devices(last, scored, days, marks) == {(DATE, "PV-2")}
    # the final tier has nothing ready hours before the CWT context after a window has come
    assert stream.ready_devices(last, {}, days, {DATE: {"final": marks[DATE]["final"]}}) == set()
    # once the day is closed every window of every device is ready
    closed = {DATE: {"final": (END + 1, True), "early": (END + 1, True)}}
    assert stream.ready_devices(last, scored, days, closed) == {(DATE, d) for d in ("PV-1", "PV-2", "PV-3")}


@pytest.mark.parametrize("first,last", [(0, 2), (5, 5), (30, 41), (60, 66)])
def test_the_scalogram_over_a_windows_context_span_is_the_whole_days(first, last):
    row = _row("PV-1", _readings())
    filled = filled_channels(row)
    a, b = stream.context_span(first, last, SAMPLES)
    before, after = stream.cwt_context()
    assert a % WINDOW == 0 and a <= max(0, first * WINDOW - before) and b >= min(SAMPLES, (last + 1) * WINDOW + after)
    assert b - a <= before + after + (last - first + 2) * WINDOW  # not the day: at most ~1,100 slots more than the windows
    whole = day_scalograms(row, filled)
    part = day_scalograms(None, {c: x[a:b] for c, x in filled.items()})
    lo, hi = first * WINDOW, (last + 1) * WINDOW
    for c in whole:
        assert_within_ulps(part[c][:, lo - a:hi - a], whole[c][:, lo:hi], 4, c)
    # and the span ends no sooner than it must: its last slot, where the day goes on, moves the windows' last coefficients
    if b < SAMPLES:
        moved = dict(filled, current=filled["current"].copy())
        moved["current"][b - 1] += 100.0
        assert abs(day_scalograms(None, moved)["current"][-1, hi - 1] - whole["current"][-1, hi - 1]) > 1e-4


def _window_rows(device_id, probs):
    """A device-day's predicted window rows from the day's start, one per probability row."""
    rows = []
    for i, p in enumerate(probs):
        best = int(np.argmax(p))
        rows.append(dict({"deviceId": device_id, "windowIndex": i, "startMs": START + i * WINDOW_MS, "endMs": START + (i + 1) * WINDOW_MS,
                          "status": "predicted", "labelIndex": best, "confidence": p[best]},
                         **{"p_" + c: p[k] for k, c in enumerate(FAULT_CLASSES)}))
    return rows


def _blocked_string_days():
    """Thresholds, raise thresholds and two device-days of a blocked string: PV-NAMED's class is
    named after its group was raised, PV-GROUP's never. A member at 0.7 scores ~2.5 for its class,
    the group (0.82) ~2.6: raised at the second such window (window 2), open_circuit named at the
    third (window 3); alternating members never name a class."""
    sets = {s: {l: 50.0 if l in alarms.GROUPS else 5.0 for l in alarms.ALARM_LABELS} for s in alarms.THRESHOLD_SETS}
    raise_sets = {s: {"string_blocked": 4.0} for s in alarms.THRESHOLD_SETS}
    normal = [0.9, 0.02, 0.02, 0.02, 0.02, 0.02]
    oc = [0.06, 0.06, 0.06, 0.7, 0.06, 0.06]
    ll = [0.06, 0.7, 0.06, 0.06, 0.06, 0.06]
    days = {"PV-NAMED": _window_rows("PV-NAMED", [normal, oc, oc, oc, normal, normal]),
            "PV-GROUP": _window_rows("PV-GROUP", [normal, oc, ll, oc, ll, normal])}
    return sets, raise_sets, days


def test_the_final_tier_publishes_a_group_raised_early_once_the_day_labels_it_the_early_tier_at_once():
    """contracts/detector.json alarms.raise: a blocked string is raised as its group before the day's
    decision names its class. Over a prefix of the day the group's alarm may still get its label, so
    the final tier (until_labelled) waits for it, or for the day's end, and publishes the batch's
    alarm; the early tier publishes at the raise."""
    sets, raise_sets, days = _blocked_string_days()
    published = {"final": {}, "early": {}}
    for k in range(1, 7):
        for tier in published:
            closing = tier == "final" and k == 6
            for a in stream.new_alarms(DATE, days, frozenset(), START + k * WINDOW_MS, sets, {}, "m", set(published[tier]), START + k * WINDOW_MS, k,
                                       raise_sets, until_labelled=tier == "final" and not closing):
                published[tier][a["deviceId"]] = a
    early, final = published["early"], published["final"]
    assert {d: (a["label"], a["raisedMs"], a["raisedAs"], a["labelledMs"], a["batchId"]) for d, a in early.items()} == {
        "PV-NAMED": ("string_blocked", START + 3 * WINDOW_MS, None, None, 3), "PV-GROUP": ("string_blocked", START + 3 * WINDOW_MS, None, None, 3)}
    assert {d: (a["label"], a["raisedMs"], a["raisedAs"], a["labelledMs"], a["batchId"]) for d, a in final.items()} == {
        "PV-NAMED": ("open_circuit", START + 3 * WINDOW_MS, "string_blocked", START + 4 * WINDOW_MS, 4),
        "PV-GROUP": ("string_blocked", START + 3 * WINDOW_MS, None, None, 6)}
    # the final tier's are the batch's alarms of the whole day
    for d, rows in days.items():
        daily = gold.daily_row(d, rows, "m", sets, NO_HISTORY, frozenset(), raise_sets)
        assert (final[d]["label"], final[d]["onsetMs"], final[d]["raisedMs"], final[d]["raisedAs"], final[d]["labelledMs"]) == (
            daily["verdict"], daily["alarmOnsetMs"], daily["alarmRaisedMs"], daily["alarmRaisedAs"], daily["alarmLabelledMs"])
        assert final[d]["evidence"] == pytest.approx(daily["alarmEvidence"])


def test_the_final_tier_waits_for_a_member_that_names_a_group_which_crossed_its_own_threshold():
    """contracts/detector.json alarms.groupLabel: a group that crossed its threshold first may still
    be named by a member class later in the day, so the final tier does not publish a group's label
    before the day is over: a leak that blocks its string in the morning crosses as the group at
    window 2 and is named line_ground at window 4; the final tier publishes the batch's alarm then."""
    sets = {s: {l: 6.0 if l in alarms.GROUPS else 5.0 for l in alarms.ALARM_LABELS} for s in alarms.THRESHOLD_SETS}
    normal = [0.9, 0.02, 0.02, 0.02, 0.02, 0.02]
    blocked = [0.005, 0.33, 0.33, 0.33, 0.0025, 0.0025]
    leak = [0.02, 0.02, 0.9, 0.02, 0.02, 0.02]
    days = {"PV-LEAK": _window_rows("PV-LEAK", [normal, blocked, blocked, leak, leak, normal])}
    published = {}
    for k in range(1, 7):
        for a in stream.new_alarms(DATE, days, frozenset(), START + k * WINDOW_MS, sets, {}, "m", set(published), START + k * WINDOW_MS, k,
                                   None, until_labelled=k < 6):
            published[a["deviceId"]] = a
    a = published["PV-LEAK"]
    assert (a["label"], a["raisedAs"], a["raisedMs"], a["labelledMs"], a["batchId"]) == (
        "line_ground", "string_blocked", START + 3 * WINDOW_MS, START + 5 * WINDOW_MS, 5)
    daily = gold.daily_row("PV-LEAK", days["PV-LEAK"], "m", sets, NO_HISTORY, frozenset(), None)
    assert (a["label"], a["onsetMs"], a["raisedMs"], a["raisedAs"], a["labelledMs"]) == (
        daily["verdict"], daily["alarmOnsetMs"], daily["alarmRaisedMs"], daily["alarmRaisedAs"], daily["alarmLabelledMs"])


def test_the_early_tier_tells_the_label_the_day_gives_a_group_it_published_once():
    """new_labels: an early alarm published as its group (labelledMs None) is published again, once,
    when the day's decision names its class; a group never named gets no label."""
    sets, raise_sets, days = _blocked_string_days()
    early, labels, pending = {}, {}, set()
    for k in range(1, 7):
        before = START + k * WINDOW_MS
        # the job's order: the labels of alarms published by earlier batches, then the batch's new alarms
        for a in stream.new_labels(DATE, days, frozenset(), before, sets, {}, "m", pending, before, k, raise_sets):
            assert a["deviceId"] not in labels
            labels[a["deviceId"]] = a
            pending.discard(a["deviceId"])
        for a in stream.new_alarms(DATE, days, frozenset(), before, sets, {}, "m", set(early), before, k, raise_sets):
            early[a["deviceId"]] = a
            if a["labelledMs"] is None:
                pending.add(a["deviceId"])
    assert set(early) == {"PV-NAMED", "PV-GROUP"} and pending == {"PV-GROUP"}
    assert {d: (a["label"], a["raisedMs"], a["raisedAs"], a["labelledMs"], a["batchId"]) for d, a in labels.items()} == {
        "PV-NAMED": ("open_circuit", START + 3 * WINDOW_MS, "string_blocked", START + 4 * WINDOW_MS, 4)}
    # the label is the day's (the batch's) alarm, and a device the batch has no rows of is passed over
    daily = gold.daily_row("PV-NAMED", days["PV-NAMED"], "m", sets, NO_HISTORY, frozenset(), raise_sets)
    assert (labels["PV-NAMED"]["label"], labels["PV-NAMED"]["labelledMs"]) == (daily["verdict"], daily["alarmLabelledMs"])
    assert stream.new_labels(DATE, days, frozenset(), None, sets, {}, "m", {"PV-ELSEWHERE"}, START, 9, raise_sets) == []


def test_a_day_closing_decides_again_even_when_nothing_else_changed():
    gate = (frozenset(), None)
    assert stream.decisions_unchanged([], gate, [[], None])
    assert not stream.decisions_unchanged([], gate, [[], None], closing=True)
