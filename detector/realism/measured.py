"""The measured side of `npm run sim:realism`: public 1-min irradiance that pvlib ships, reduced to the sky statistics.

    .venv-sim/bin/python detector/realism/measured.py --out out/sim-realism/measured.json

Sources: the measured files in pvlib's package data (pvlib 0.11.2 is the newest
release whose wheel still carries them; later wheels hold only TMY and module
libraries). Each day's GHI is held against pvlib's Ineichen-Perez clear sky with the
climatological Linke turbidity at the station (both from pvlib), with the sun's
position from pvlib's SPA, then reduced by sky_stats.py, the twin of skyStats.ts.
Night noise: the pyranometer's 1-min GHI while the sun is 10° or more below the
horizon.
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import pandas as pd
import pvlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sky_stats  # noqa: E402

DATA = os.path.join(os.path.dirname(pvlib.__file__), "data")

# Station coordinates: from the file's own header where it has one (BSRN, SURFRAD);
# the SRML day file names only its station number (94255, Eugene, Oregon), whose
# coordinates are those the University of Oregon's SRML lists for it.
EUGENE = {"latitude": 44.0467, "longitude": -123.0743, "altitude": 150}


def _bsrn():
    data, meta = pvlib.iotools.read_bsrn(os.path.join(DATA, "bsrn-pay0616.dat.gz"), logical_records=("0100",))
    # BSRN also gives the sd of the 1-s samples within each minute: the pyranometer's own noise
    return data["ghi"], data["ghi_std"], {
        "name": "BSRN Payerne", "file": "bsrn-pay0616.dat.gz", "network": "BSRN", "station": "Payerne (PAY), Switzerland",
        "latitude": float(meta["latitude"]), "longitude": float(meta["longitude"]), "altitude": float(meta["altitude"]),
    }


def _surfrad():
    data, meta = pvlib.iotools.read_surfrad(os.path.join(DATA, "surfrad-slv16001.dat"))
    # SURFRAD flags a value it doubts with a non-zero QC flag; its header gives longitude as degrees west
    ghi = data["ghi"].where(data["ghi_flag"] == 0)
    return ghi, None, {
        "name": "SURFRAD-format Alamosa", "file": "surfrad-slv16001.dat", "network": "SURFRAD format (ISIS/SOLRAD)", "station": f"{meta['name'].strip()}, Colorado",
        "latitude": float(meta["latitude"]), "longitude": -abs(float(meta["longitude"])), "altitude": float(meta["elevation"]),
    }


def _srml():
    data = pvlib.iotools.read_srml(os.path.join(DATA, "SRML-day-EUPO1801.txt"))
    ghi_col = next(c for c in data.columns if c.startswith("ghi") and not c.endswith("_flag"))
    ghi = data[ghi_col].copy()
    flag = data.get(f"{ghi_col}_flag")
    if flag is not None:
        # SRML flags: 11-14 good; 99 missing (the reader turns the value into NaN)
        ghi = ghi.where(flag.isin([11, 12, 13, 14]))
    return ghi, None, {"name": "SRML Eugene", "file": "SRML-day-EUPO1801.txt", "network": "SRML", "station": "Eugene (94255), Oregon", **EUGENE}


SOURCES = (_bsrn, _surfrad, _srml)


def _utc_minutes(series):
    series = series.tz_convert("UTC") if series.index.tz is not None else series.tz_localize("UTC")
    return series.resample("1min").mean()


def _days(ghi, within_sd, site):
    """Split a GHI series into local solar days of whole minutes; yields (date, minutes frame)."""
    ghi = _utc_minutes(ghi)
    loc = pvlib.location.Location(site["latitude"], site["longitude"], altitude=site["altitude"])
    sun = loc.get_solarposition(ghi.index)
    clear = loc.get_clearsky(ghi.index, model="ineichen", solar_position=sun)["ghi"]
    frame = pd.DataFrame({"ghi": ghi, "clear": clear, "elevation": sun["apparent_elevation"]})
    frame["within_sd"] = _utc_minutes(within_sd) if within_sd is not None else np.nan
    # the local solar day: UTC shifted by the longitude, so a day is sunrise to sunset, never cut at noon
    solar_date = (frame.index + pd.to_timedelta(site["longitude"] / 15, unit="h")).date
    for date, minutes in frame.groupby(solar_date):
        yield str(date), minutes


def _resolution(values):
    """The smallest step between distinct values: a file of whole W/m² cannot show noise below 1 W/m²."""
    v = np.unique(np.round(values[np.isfinite(values)], 6))
    return round(float(np.diff(v).min()), 4) if len(v) > 1 else math.nan


def _night(source, sd, mean, within, resolution):
    return {
        "source": source,
        "nights": len(sd),
        "resolution": resolution,
        "sdMedian": sky_stats.percentile(sd, 50),
        "absMeanMedian": sky_stats.percentile(mean, 50),
        "withinMinuteSdMedian": sky_stats.percentile(within, 50) if within else None,
    }


def measure():
    sources, days, stats, nights = [], [], [], []
    for read in SOURCES:
        ghi, within_sd, site = read()
        counted, night_sd, night_mean, within = [], [], [], []
        for date, m in _days(ghi, within_sd, site):
            s = sky_stats.day_stats(m["ghi"].to_numpy(), m["clear"].to_numpy(), (m["elevation"] >= 10).to_numpy())
            dark = (m["elevation"] <= -10).to_numpy()
            n = sky_stats.night_noise(m["ghi"].to_numpy(), dark)
            if n:
                night_sd.append(n["sd"])
                night_mean.append(abs(n["mean"]))
                w = m["within_sd"].to_numpy()[dark]
                if np.isfinite(w).any():
                    within.append(float(np.nanmedian(w)))
            if s is None:
                continue
            counted.append(date)
            stats.append(s)
            days.append({"source": site["name"], "date": date, "minutes": s["minutes"], "kc": s["kc"], "vi": s["vi"], "sky": s["sky"]})
        sources.append({**site, "first": min(counted), "last": max(counted), "resolution": "1 min", "days": len(counted)})
        print(f"  {site['name']}: {ghi.notna().sum():,} 1-min values, {len(counted)} days", file=sys.stderr)
        nights.append(_night(site["name"], night_sd, night_mean, within, _resolution(ghi.to_numpy(dtype=float))))
    return {
        "pvlib": pvlib.__version__,
        "sources": sources,
        "days": days,
        "ghi": sky_stats.class_stats(stats),
        "night": nights,
    }


def _no_nan(v):
    """JSON has no NaN: a statistic of nothing (an empty class, no nights) is null."""
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, dict):
        return {k: _no_nan(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_no_nan(x) for x in v]
    return v


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="where to write the JSON")
    args = parser.parse_args()
    result = measure()
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(_no_nan(result), f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"  measured: {len(result['days'])} days → {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
