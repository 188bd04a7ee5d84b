"""The plant-local day window the ingest checks its arguments against."""
import pytest

from pvfault.plantday import _local_date, check_window, plant_day_window
from zoneinfo import ZoneInfo

H = 3_600_000


@pytest.mark.parametrize("day,hours", [("2026-11-19", 24), ("2026-03-29", 23), ("2026-10-25", 25)])
def test_madrid_days_around_dst(day, hours):
    start, end = plant_day_window(day, "Europe/Madrid")
    assert end - start == hours * H


@pytest.mark.parametrize("zone,day", [("America/Santiago", "2026-09-06"), ("America/Havana", "2026-03-08"), ("Asia/Tokyo", "2026-01-01")])
def test_the_day_starts_at_its_first_instant_even_when_midnight_does_not_exist(zone, day):
    start, end = plant_day_window(day, zone)
    z = ZoneInfo(zone)
    assert _local_date(start, z) == day and _local_date(start - 1, z) < day
    assert _local_date(end - 1, z) == day and _local_date(end, z) > day


def test_check_window_refuses_a_shifted_or_foreign_day():
    start, end = plant_day_window("2026-11-19", "Europe/Madrid")
    check_window("2026-11-19", start, end, "Europe/Madrid")
    for args in ((start + H, end + H, "Europe/Madrid"), (start, end, "UTC"), (start, end, "Mars/Olympus")):
        with pytest.raises(ValueError):
            check_window("2026-11-19", *args)
