"""The plant-local day as a UTC window [startMs, endMs), as contracts/plantDay.ts computes it.

The state machine resolves the window once and passes --date, --start-ms and
--end-ms; the ingest job checks they agree with --time-zone so that a wrong
time zone or a hand-edited rerun fails before reading Kafka, not after writing
a shifted day. Python 3.9: zoneinfo is in the standard library there.
"""
from datetime import date as _date
from datetime import datetime, timedelta, timezone

from zoneinfo import ZoneInfo

from pvfault.contracts import is_valid_date

_STEP_MS = 15 * 60_000


def _local_date(epoch_ms, zone):
    return datetime.fromtimestamp(epoch_ms / 1000.0, tz=timezone.utc).astimezone(zone).date().isoformat()


def _local_midnight(day, zone):
    d = _date.fromisoformat(day)
    # zoneinfo resolves a wall time that does not exist (a DST jump at 00:00) with the
    # earlier offset, which may land before or after the jump: settle it the way the
    # TypeScript does, on the first instant whose local date is the day
    t = int(datetime(d.year, d.month, d.day, tzinfo=zone).timestamp() * 1000)
    while _local_date(t, zone) < day:
        t += _STEP_MS
    while _local_date(t - _STEP_MS, zone) == day:
        t -= _STEP_MS
    return t


def plant_day_window(day, time_zone):
    """(startMs, endMs) of the plant-local calendar day."""
    if not is_valid_date(day):
        raise ValueError("date: %r is not a calendar date in YYYY-MM-DD form" % (day,))
    try:
        zone = ZoneInfo(time_zone)
    except Exception:
        raise ValueError("time zone: %r is not an IANA time zone" % (time_zone,))
    next_day = (_date.fromisoformat(day) + timedelta(days=1)).isoformat()
    return _local_midnight(day, zone), _local_midnight(next_day, zone)


def plant_date_of(epoch_ms, time_zone):
    """The plant-local calendar day (YYYY-MM-DD) an instant falls on: the day whose window holds it."""
    return _local_date(int(epoch_ms), ZoneInfo(time_zone))


def check_window(day, start_ms, end_ms, time_zone):
    """Raises ValueError unless [start_ms, end_ms) is exactly the plant-local day."""
    expected = plant_day_window(day, time_zone)
    if (start_ms, end_ms) != expected:
        raise ValueError(
            "window [%d, %d) is not the plant-local day %s in %s, which is [%d, %d)"
            % (start_ms, end_ms, day, time_zone, expected[0], expected[1])
        )
