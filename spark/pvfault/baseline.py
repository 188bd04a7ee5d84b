"""Each array against its own history (contracts/detector.json baseline).

The same rules as detector/baseline.ts: a device-day's ratio r of mean current to
mean irradiance over its predicted bright windows, relative to the fleet's median
(q = r / R, the same sky for all), kept over the device's last healthy days; the
median of those q, clamped, is the gain the next days' irradiance channel is
multiplied by. test/fixtures/contracts/baseline-days.json, built from the
TypeScript, holds both to the same results (test/python/test_baseline.py).
Plain Python floats (not numpy) but for the window sums: a device-day has ~40 windows,
a day's fleet one number per device. Python 3.9-compatible.
"""
import collections
from datetime import date as _date, timedelta

import numpy as np

from pvfault import tables
from pvfault.alarms import carried_alarm, recurring_alarm
from pvfault.contracts import commit_key
from pvfault.windows import CHANNELS, DEFAULT_PER_UNIT, DETECTOR_CONTRACT, PerUnit, window_mean

BASELINE = DETECTOR_CONTRACT["baseline"]
MIN_IRRADIANCE = BASELINE["minIrradiance"]
MIN_WINDOWS = BASELINE["minWindows"]
MAX_DAYS = BASELINE["maxDays"]
MIN_GAIN = BASELINE["minGain"]
MAX_GAIN = BASELINE["maxGain"]
MAX_AGE_DAYS = BASELINE["maxAgeDays"]
if "current" not in CHANNELS or "irradiance" not in CHANNELS:
    raise ValueError("the baseline's ratio needs the current and irradiance channels; the contract has %r" % (CHANNELS,))

Reference = collections.namedtuple("Reference", ["gain", "days", "per_unit", "carried", "carried_since", "recurring"], defaults=(DEFAULT_PER_UNIT, None, None, None))
"""How a device-day is judged: against its own baseline (its gain and the healthy days behind it), or
without history; what its design makes (pvfault.windows.PerUnit), which the model reads its
voltage and current per unit of; and the label of its alarm the day before when carried into the
day (pvfault.alarms.carried_alarm), else None, with since when that alarm was open (the row's
dayAlarmSinceMs; None when not recorded); and the label it re-arms where its alarm of the day before
was (pvfault.alarms.recurring_alarm, a Recurrence), else None."""
NO_HISTORY = Reference(None, 0)


def median(values):
    """Median of finite values (the mean of the middle two for an even count); None when there are none."""
    xs = sorted(float(v) for v in values)
    n = len(xs)
    if n == 0:
        return None
    return xs[(n - 1) // 2] if n % 2 == 1 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def day_ratio(filled, windows, per_unit=DEFAULT_PER_UNIT):
    """A device-day's ratio r, or None with fewer than minWindows bright windows.

    filled: the measured gap-filled channels (pvfault.windows.filled_channels without a
    gain: r is the device's own relation, before any baseline scales it); windows: as
    windows_of gives them, [(index, startMs, endMs, skipReason or None)]; per_unit: the
    device's design (pvfault.windows.PerUnit): r is of current per unit, so that arrays
    of several designs share one fleet reference.
    """
    current = filled["current"]
    irradiance = filled["irradiance"]
    ratios = []
    for index, _start, _end, reason in windows:
        if reason:
            continue
        mean_g = window_mean(irradiance, index)
        # the window means gold_window holds; dim windows (a low sun, clouds) say more
        # about the sensor's angle than about the array
        if mean_g >= MIN_IRRADIANCE:
            ratios.append(window_mean(current, index) / per_unit.impStcA / mean_g)
    return median(ratios) if len(ratios) >= MIN_WINDOWS else None


def gain_of(ratios):
    """The gain of a baseline's ratios: their median clamped to [minGain, maxGain]; None without any."""
    m = median(ratios)
    return None if m is None else min(MAX_GAIN, max(MIN_GAIN, m))


def _float32(x):
    # the table stores q as float32: rounding here keeps the gains the next day computes from
    # the stored ratios equal to the ones computed from these
    return float(np.float32(x))


def next_baseline(previous, today, date):
    """The baseline table of `date` (rows as dicts of the device_baseline columns, in device order).

    previous: {deviceId: row} of the baseline read (ratios as stored, float32 values);
    today: {deviceId: (ratio r or None, verdict or None, standing or None, since or None, onset or None,
    raised or None)} of every device with data that day (standing: how its alarm stood at the day's end,
    pvfault.alarms.alarm_standing; since, onset, raised: its gold_daily alarmSinceMs, alarmOnsetMs, alarmRaisedMs). Each device's q = r / R (R the fleet's median r) is added to its ratios when the
    day was healthy (verdict normal, q inside [minGain, maxGain]), the oldest dropped
    beyond maxDays; devices absent today keep their row.
    """
    fleet = median(v[0] for v in today.values() if v[0] is not None)
    out = []
    for device_id in sorted(set(previous) | set(today)):
        before = previous.get(device_id)
        ratio, verdict, standing, since, onset, raised = today.get(device_id, (None,) * 6)
        q = _float32(ratio / fleet) if ratio is not None and fleet is not None and fleet > 0 else None
        ratios = [_float32(r) for r in before["ratios"]] if before else []
        last_healthy = before["lastHealthyDate"] if before else None
        if q is not None and verdict == "normal" and MIN_GAIN <= q <= MAX_GAIN:
            ratios = (ratios + [q])[-MAX_DAYS:]
            last_healthy = date
        out.append({"deviceId": device_id, "ratios": ratios, "gain": gain_of(ratios), "lastHealthyDate": last_healthy,
                    "dayRatio": q, "dayVerdict": verdict, "dayAlarmStanding": standing,
                    "dayAlarmSinceMs": since, "dayAlarmOnsetMs": onset, "dayAlarmRaisedMs": raised, "fleetRatio": fleet})
    return out


def reference_of(row, per_unit=DEFAULT_PER_UNIT, baseline_date=None, date=None):
    """The reference a baseline row gives its device's next day (no history for None or a row without
    gain), with its design's per-unit reference (the default design's unless given), the alarm it
    carries into `date` when the row is of the baseline table of `baseline_date` (carried_alarm), and
    the label it re-arms where that day's alarm was (recurring_alarm)."""
    carried = None if row is None or date is None else carried_alarm(row, baseline_date, date)
    recurring = None if row is None or date is None else recurring_alarm(row, baseline_date, date)
    # a row of a partition written before the tables contract's version 9 has no dayAlarmSinceMs
    since = row.get("dayAlarmSinceMs") if carried is not None else None
    since = None if since is None or since != since else int(since)
    if row is None or row.get("gain") is None:
        return Reference(None, 0, PerUnit(*per_unit), carried, since, recurring)
    return Reference(float(row["gain"]), len(row["ratios"]), PerUnit(*per_unit), carried, since, recurring)


def judged_as(reference, per_unit):
    """A broadcast reference (a Reference as a tuple, or None without a baseline row) with the device's design
    from the day's registry: what the predict job and the stream judge a device-day against."""
    return Reference(None, 0, per_unit) if reference is None else Reference(*reference)._replace(per_unit=per_unit)


def baseline_dates_before(date):
    """The plant-local days whose baseline the predict job of `date` may read, newest first (maxAgeDays of them)."""
    d = _date.fromisoformat(date)
    return [(d - timedelta(days=k)).isoformat() for k in range(1, MAX_AGE_DAYS + 1)]


def latest_baseline(store, date):
    """(day, commit marker) of the newest committed device_baseline partition among the
    maxAgeDays days before `date`, or (None, None). Only earlier days: a rerun of `date`
    reads what its first run read, so it judges the same way (local/jobs/predict.ts readBaseline).
    store: anything with read_text(key) (pvfault.sparkio.HadoopStore). The batch predict job
    and the streaming job (spark/jobs/stream_alarms.py) both judge a day with it."""
    for day in baseline_dates_before(date):
        text = store.read_text(commit_key("device_baseline", day))
        if text is not None:
            return day, tables.read_marker(text, "device_baseline", day)
    return None, None
