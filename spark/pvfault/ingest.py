"""Kafka records of a day -> validated readings, quarantine rows and silver rows.

The contract of local/jobs/ingest.ts, as pure functions over pandas frames so that
the Spark job only wires them into mapInPandas / applyInPandas:

- which Kafka timestamps the day reads ([start - one grid step, end + the contract's LATENESS_MS));
- per record: the first problem found (malformed, contract violations, key
  mismatch) with its field, the messages of all of them, and the payload; then, for
  a valid reading, where it goes by its day (place_reading: local/jobs/ingestDays.ts);
- per device: the silver row from its valid in-day readings in arrival order
  (Kafka partition, offset), counting its quarantined readings;
- the run's totals, which must account for every record read (run_totals).

Python 3.9-compatible: it runs in the EMR image.
"""
import base64
import json
import math
from datetime import date as _date
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd

from pvfault.contracts import EMPTY_DAY_MIN_VALID_READINGS, GRID_STEP_MS, LATENESS_MS, READING_FIELDS, READING_LIMITS, READING_SCHEMA, DEVICE_ID_PATTERN, validate_reading
from pvfault.plantday import plant_day_window
from pvfault.silver import CHANNELS, build_silver_row, grid_samples, slot_of

_FLOAT_FIELDS = tuple(f["name"] for f in READING_FIELDS if f["kind"] == "float")
_FLOAT_BYTES = 4 * len(_FLOAT_FIELDS)


def kafka_window(start_ms, end_ms):
    """[from, to) of Kafka record timestamps to read for the day [start_ms, end_ms).

    One grid step earlier: a reading up to half a step before midnight belongs to
    slot 0. LATENESS_MS later: a gateway that buffered through an outage publishes
    late, and those readings still belong to the day they were measured.
    """
    return int(start_ms) - GRID_STEP_MS, int(end_ms) + LATENESS_MS


def _day_read(day, time_zone):
    start, end = plant_day_window(day, time_zone)
    lo, hi = kafka_window(start, end)
    return {"date": day, "startMs": start, "endMs": end, "samples": grid_samples(start, end), "fromMs": lo, "toMs": hi}


def run_days(day, time_zone):
    """The run's day and the days before and after: date, grid, and the Kafka window each one's run reads."""
    d = _date.fromisoformat(day)
    return {
        "previous": _day_read((d - timedelta(days=1)).isoformat(), time_zone),
        "day": _day_read(day, time_zone),
        "next": _day_read((d + timedelta(days=1)).isoformat(), time_zone),
    }


def place_reading(timestamp, publish_ms, days):
    """Where a valid reading read by the run goes: 'day', 'adjacent', 'too_late' or 'other_day'.

    The windows of adjacent days overlap, so a record can be read by two runs. A reading
    of the day before or after that is in that day's window too is that run's (counted
    here, 'adjacent'); one of an earlier day published after its day's window closed
    ('too_late') or of a later day published before its day's window opens ('other_day')
    is no run's: it is quarantined. Only a neighbour's window can hold a record of this
    run's window: the lateness is far shorter than a day.
    """
    day = days["day"]
    if slot_of(timestamp, day["startMs"], day["samples"]) >= 0:
        return "day"
    earlier = timestamp < day["startMs"]
    own = days["previous"] if earlier else days["next"]
    if slot_of(timestamp, own["startMs"], own["samples"]) >= 0 and own["fromMs"] <= publish_ms < own["toMs"]:
        return "adjacent"
    return "too_late" if earlier else "other_day"


def _iso(epoch_ms):
    # JavaScript's Date.toISOString, from integer milliseconds (no float rounding)
    t = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=int(epoch_ms))
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def placement_detail(place, timestamp, publish_ms, days):
    """The quarantine detail of a too_late or other_day reading (the TypeScript writes the same text)."""
    at = "timestamp: %s is of a plant-local day %s %s, published %s" % (
        _iso(timestamp), "before" if place == "too_late" else "after", days["day"]["date"], _iso(publish_ms))
    if place == "too_late":
        return "%s, %g h or more after that day ended: no run takes it into silver" % (at, LATENESS_MS / 3_600_000)
    return "%s, before that day's Kafka window opens: no run takes it into silver" % at


def spark_reading_schema_json():
    """The reading schema for from_avro, with timestamp as a plain Avro long.

    The binary encoding is the same (timestamp-millis annotates a long); without the
    logical type Spark hands back the epoch milliseconds exactly as sent, instead of
    a TimestampType that would overflow — and turn into a null, i.e. "malformed" —
    on the absurd timestamps that the contract wants reported as out_of_range.
    """
    schema = json.loads(json.dumps(READING_SCHEMA))
    for field in schema["fields"]:
        if isinstance(field["type"], dict) and field["type"].get("logicalType") == "timestamp-millis":
            field["type"] = field["type"]["type"]
    return json.dumps(schema)


def _varint_len(n):
    z = ((n << 1) ^ (n >> 63)) & 0xFFFFFFFFFFFFFFFF  # Avro zigzag of a 64-bit long
    length = 1
    while z >= 0x80:
        z >>= 7
        length += 1
    return length


def encoded_length(device_id, timestamp):
    """Bytes of the raw Avro encoding of a reading with this deviceId (text, or its raw bytes) and timestamp."""
    id_bytes = len(device_id) if isinstance(device_id, bytes) else len(device_id.encode("utf-8"))
    return _varint_len(id_bytes) + id_bytes + _varint_len(int(timestamp)) + _FLOAT_BYTES


def _json_number(value):
    # JavaScript's JSON.stringify: whole numbers without ".0" (below 1e21, where it turns
    # to exponents as repr does), non-finite ones as the strings the TypeScript replacer writes
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value).replace("nan", "NaN").replace("inf", "Infinity")
        if value.is_integer() and abs(value) < 1e21:
            return int(value)
    return value


def payload_json(reading):
    """The reading as JSON, non-finite numbers as strings, as the TypeScript ingest writes it."""
    return json.dumps({k: _json_number(v) for k, v in reading.items()}, separators=(",", ":"))


DEVICE_ID_NOT_UTF8 = "malformed Avro reading: deviceId is not valid UTF-8"


def key_not_utf8_detail(length):
    return "malformed Kafka record: the key is not valid UTF-8 (%d bytes)" % length


def as_text(raw):
    """A key or deviceId as Spark hands it over (bytes: neither the binary key nor from_avro's
    strings are checked for UTF-8 by Spark) -> its text; the bytes themselves when they are
    not UTF-8 (the record is then malformed, test/fixtures/contracts/undecodable-records.json)."""
    if isinstance(raw, (bytes, bytearray, memoryview)):
        raw = bytes(raw)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw
    return raw


def check_record(key, value, reading):
    """The quarantine verdict of one Kafka record: None when valid, else (reason, field, detail, counted).

    reading is the decoded record (a dict in schema order) or None when from_avro
    could not decode the value; counted says whether the reading names a device
    whose quarantined count it adds to (the TypeScript counts it when deviceId is a string).
    key and reading["deviceId"] are text, or bytes when they are not UTF-8 (as_text).
    """
    if reading is None:
        return ("malformed", None, "malformed Avro reading: not a valid encoding of the reading schema (%d bytes)" % len(value), False)
    expected = encoded_length(reading["deviceId"], reading["timestamp"])
    if expected != len(value):
        # Spark's decoder stops at the end of the record; the contract refuses what follows it
        return ("malformed", None, "malformed Avro reading: %d trailing bytes after the record" % (len(value) - expected), False)
    if isinstance(reading["deviceId"], bytes):
        return ("malformed", None, DEVICE_ID_NOT_UTF8, False)
    if isinstance(key, bytes):
        return ("malformed", None, key_not_utf8_detail(len(key)), False)
    issues = validate_reading(reading)
    if issues:
        reason, field, _ = issues[0]
        return (reason, field, "; ".join(m for _, _, m in issues), True)
    if key != reading["deviceId"]:
        return ("key_mismatch", "deviceId", "Kafka key %s differs from deviceId %s" % (json.dumps(key), json.dumps(reading["deviceId"])), True)
    return None


VALIDATED_COLUMNS = (
    ("deviceId", "string"),
    ("timestamp", "int64"),
    ("voltage", "float32"),
    ("current", "float32"),
    ("temperature", "float32"),
    ("irradiance", "float32"),
    ("kafkaPartition", "int32"),
    ("kafkaOffset", "int64"),
    ("reason", "string"),
    ("field", "string"),
    ("detail", "string"),
    ("payload", "string"),
    ("inRow", "boolean"),
)
"""The frame validate_records returns: a reading with its verdict. reason is '' for a valid
reading; deviceId is null for a record that names no device (malformed), and as read for
one set aside. inRow: the record counts in the silver row of its deviceId (a valid reading
of the day, or one set aside that names a valid id); a valid reading without it is of an
adjacent day, whose run takes it."""

_VALIDATED_REQUIRED = ("kafkaPartition", "kafkaOffset", "reason", "detail", "inRow")
_SPARK_TYPES = {"string": "string", "int32": "integer", "int64": "long", "float32": "float", "boolean": "boolean"}


def validated_spark_schema():
    """VALIDATED_COLUMNS as Spark StructType JSON (the mapInPandas output)."""
    return {"type": "struct", "fields": [
        {"name": n, "type": _SPARK_TYPES[t], "nullable": n not in _VALIDATED_REQUIRED, "metadata": {}} for n, t in VALIDATED_COLUMNS
    ]}


def refuse_empty_day(date, records_read, quarantined, valid):
    """Why the ingest of `date` must fail instead of publishing, or None (tables.json emptyDay).

    valid: the valid readings on the day's grid (observed + duplicates over the silver
    rows). A day without enough of them is never committed: it would replace a complete
    day with an empty one and be reported as processed. The message is the local
    ingest's (contracts/emptyDay.ts; test/fixtures/contracts/empty-day-cases.json).
    """
    if valid >= EMPTY_DAY_MIN_VALID_READINGS:
        return None
    return ("ingest of %s refused: %d valid readings on the day's grid (%d records read, %d quarantined); "
            "a day needs at least %d (tables.json emptyDay). Nothing was committed: the day's silver and gold stay as they were. "
            "The topic may no longer hold the day (retention), or nothing was published for it."
            % (date, valid, records_read, quarantined, EMPTY_DAY_MIN_VALID_READINGS))


_MIN = {name: lim[0] for name, lim in READING_LIMITS.items()}
_MAX = {name: lim[1] for name, lim in READING_LIMITS.items()}


def _quick_valid(key, value_len, device_id, ts, channels):
    # the common case without building dicts; anything doubtful goes through check_record
    if not isinstance(device_id, str) or key != device_id or not DEVICE_ID_PATTERN.fullmatch(device_id):
        return False
    if not (_MIN["timestamp"] <= ts <= _MAX["timestamp"]):
        return False
    for name, v in zip(_FLOAT_FIELDS, channels):
        if not (_MIN[name] <= v <= _MAX[name]):  # False for NaN too
            return False
    return value_len == encoded_length(device_id, ts)


def validate_records(frame, days):
    """Kafka records with their decoded fields -> VALIDATED_COLUMNS.

    frame columns: key (bytes, str or None), value (bytes), decoded (bool: from_avro gave a
    record), deviceId (bytes or str), timestamp (int64: never null, so that Arrow keeps it integral), voltage, current, temperature, irradiance (the
    decoded fields, null when not decoded), publishMs (the Kafka timestamp),
    kafkaPartition, kafkaOffset. days: run_days of the run.
    """
    n = len(frame)
    out = {name: [None] * n for name, _ in VALIDATED_COLUMNS}
    keys = [as_text(k) for k in frame["key"].tolist()]
    values = frame["value"].tolist()
    decoded = frame["decoded"].tolist()
    ids = [as_text(d) for d in frame["deviceId"].tolist()]
    stamps = frame["timestamp"].tolist()
    published = frame["publishMs"].tolist()
    chans = [frame[c].tolist() for c in _FLOAT_FIELDS]
    in_row = [False] * n
    for i in range(n):
        value = bytes(values[i]) if values[i] is not None else b""  # a tombstone has no value
        ok = bool(decoded[i]) and ids[i] is not None
        reading = None
        if ok:
            ts = int(stamps[i])
            values_i = tuple(float(c[i]) for c in chans)
            reading = dict(zip(("deviceId", "timestamp") + _FLOAT_FIELDS, (ids[i], ts) + values_i))
        verdict = None
        if not (ok and _quick_valid(keys[i], len(value), ids[i], ts, values_i)):
            verdict = check_record(keys[i], value, reading)
        if verdict is None:
            place = place_reading(reading["timestamp"], int(published[i]), days)
            if place in ("too_late", "other_day"):
                verdict = (place, "timestamp", placement_detail(place, reading["timestamp"], int(published[i]), days), True)
            else:
                in_row[i] = place == "day"
        if verdict is None:
            out["reason"][i] = ""
            out["detail"][i] = ""
        else:
            out["reason"][i], out["field"][i], out["detail"][i], counted = verdict
            if counted:
                out["payload"][i] = payload_json(reading)
                # an id that fails the contract's pattern names no device: never a silver (so gold) row
                in_row[i] = bool(DEVICE_ID_PATTERN.fullmatch(reading["deviceId"]))
            else:
                reading = None
                out["payload"][i] = base64.b64encode(value).decode("ascii")
        if reading is not None:
            out["deviceId"][i] = reading["deviceId"]
            out["timestamp"][i] = reading["timestamp"]
            for c in _FLOAT_FIELDS:
                out[c][i] = reading[c]
    out["kafkaPartition"] = frame["kafkaPartition"].astype(np.int32).to_numpy()
    out["kafkaOffset"] = frame["kafkaOffset"].astype(np.int64).to_numpy()
    out["inRow"] = np.array(in_row, dtype=bool)
    result = pd.DataFrame({name: out[name] for name, _ in VALIDATED_COLUMNS})
    # nullable int64: a plain column with a null (an undecodable record) turns float64, and float64 rounds a
    # timestamp past 2^53 (2^63 - 1 even overflows to -2^63 on the way back to int64); Arrow takes Int64 exactly
    result["timestamp"] = pd.array(out["timestamp"], dtype="Int64")
    for c in _FLOAT_FIELDS:
        result[c] = result[c].astype(np.float32)  # None -> NaN, a null for Arrow
    return result


def silver_row_of_device(device_id, records, start_ms, end_ms):
    """One device's validated records that count in its row (inRow) -> its silver row.

    Arrival order is (Kafka partition, offset), as the TypeScript reads partition by
    partition; quarantined readings count as received whatever their time, valid ones
    only when they fall on the day's grid (validate_records sends no other here).
    """
    records = records.sort_values(["kafkaPartition", "kafkaOffset"], kind="mergesort")
    valid = records[records["reason"] == ""]
    samples = grid_samples(start_ms, end_ms)
    keep = [slot_of(int(ts), start_ms, samples) >= 0 for ts in valid["timestamp"].tolist()]
    valid = valid[keep] if len(valid) else valid
    quarantined = int((records["reason"] != "").sum())
    readings = [
        {"timestamp": int(ts), "voltage": v, "current": c, "temperature": t, "irradiance": g}
        for ts, v, c, t, g in zip(valid["timestamp"].tolist(), *(valid[ch].tolist() for ch in CHANNELS))
    ]
    return build_silver_row(device_id, start_ms, end_ms, readings, received=len(readings) + quarantined, quarantined=quarantined)



def run_totals(verdicts, silver):
    """The run's counts for its summary; raises unless they account for every record read.

    verdicts: {(reason, inRow): records} over the validated records (all the records
    read); silver: the silver rows' sums of observed, duplicates, filled, missing. Every
    record read is a reading of the day in silver (observed + duplicates), quarantined
    by reason, or a valid reading of an adjacent day (adjacentDay), which that day's run
    takes: a record lost between the topic and silver fails the run instead of vanishing.
    """
    records_read = sum(verdicts.values())
    quarantined = {}
    for (reason, _), n in sorted(verdicts.items()):
        if reason:
            quarantined[reason] = quarantined.get(reason, 0) + n
    adjacent = sum(n for (reason, in_row), n in verdicts.items() if not reason and not in_row)
    totals = {k: int(silver.get(k) or 0) for k in ("observed", "duplicates", "filled", "missing")}
    accounted = totals["observed"] + totals["duplicates"] + sum(quarantined.values()) + adjacent
    if accounted != records_read:
        raise RuntimeError(
            "%d records read, but %d accounted for: %d observed + %d duplicates in silver, %d quarantined, %d of an adjacent day; nothing committed"
            % (records_read, accounted, totals["observed"], totals["duplicates"], sum(quarantined.values()), adjacent))
    return dict(recordsRead=records_read, quarantined=quarantined, adjacentDay=adjacent, **totals)
