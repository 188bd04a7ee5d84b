"""The ingest's pure functions: Kafka window, record verdicts, placing another day's reading,
per-device silver rows, and the run's totals that account for every record read."""
import base64
import json
import math
import os

import numpy as np
import pandas as pd
import pytest

from conftest import FIXTURES
from pvfault import contracts, ingest

START = 1_763_593_200_000  # 2025-11-20 00:00 Europe/Madrid
END = START + 86_400_000
STEP = contracts.GRID_STEP_MS
DAYS = ingest.run_days("2025-11-20", "Europe/Madrid")
HOUR = 3_600_000

with open(os.path.join(FIXTURES, "contracts", "reading-days.json"), encoding="utf-8") as _f:
    PLACES = json.load(_f)


def test_lateness_is_the_contracts():
    # one home, tables.json, read by both ingests and by the run window (contracts/tableSpecs.ts)
    assert ingest.LATENESS_MS == contracts.LATENESS_MS == contracts.TABLES_CONTRACT["lateness"]["maxMs"] == 3 * 3_600_000


def test_the_shared_placement_vectors_use_the_contracts_lateness():
    # local/jobs/ingestDays.ts is held to the same vectors (test/local/ingestDays.test.ts)
    assert PLACES["latenessMs"] == contracts.LATENESS_MS


@pytest.mark.parametrize("run,case", [(r, c) for r in PLACES["runs"] for c in r["cases"]], ids=lambda x: x.get("name", x.get("date")))
def test_another_days_reading_is_placed_as_the_local_ingest_places_it(run, case):
    days = ingest.run_days(run["date"], run["timeZone"])
    assert (days["day"]["startMs"], days["day"]["endMs"]) == (run["startMs"], run["endMs"])
    assert days["day"]["fromMs"] <= case["publishMs"] < days["day"]["toMs"]
    assert ingest.place_reading(case["timestamp"], case["publishMs"], days) == case["place"]
    if case["place"] in ("too_late", "other_day"):
        assert ingest.placement_detail(case["place"], case["timestamp"], case["publishMs"], days) == case["detail"]


def test_kafka_window_starts_half_a_slot_early_and_waits_for_late_readings():
    lo, hi = ingest.kafka_window(START, END)
    assert lo == START - STEP and hi == END + ingest.LATENESS_MS


def test_from_avro_schema_differs_from_the_contract_only_by_the_logical_type():
    mine = json.loads(ingest.spark_reading_schema_json())
    theirs = contracts.READING_SCHEMA
    assert [f["name"] for f in mine["fields"]] == [f["name"] for f in theirs["fields"]]
    ts = next(f for f in mine["fields"] if f["name"] == "timestamp")
    assert ts["type"] == "long"
    mine["fields"] = [f for f in mine["fields"] if f["name"] != "timestamp"]
    assert mine["fields"] == [f for f in theirs["fields"] if f["name"] != "timestamp"]


with open(os.path.join(FIXTURES, "contracts", "reading-avro.json"), encoding="utf-8") as _f:
    VECTORS = json.load(_f)["vectors"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["reading"]["deviceId"][:12] for v in VECTORS])
def test_encoded_length_is_that_of_apache_avros_bytes(vector):
    r = vector["reading"]
    assert ingest.encoded_length(r["deviceId"], r["timestamp"]) == len(bytes.fromhex(vector["avroHex"]))


def _f32(x):
    return float(np.float32(x))


def _record(reading, key=None, value=None, decoded=True, partition=0, offset=0, published=None):
    if value is None:
        # the bytes' content is from_avro's business; the job checks their length
        value = b"\0" * ingest.encoded_length(reading["deviceId"], reading["timestamp"])
    return {
        "key": reading["deviceId"] if key is None and reading else key,
        "value": value,
        "decoded": decoded,
        "deviceId": reading["deviceId"] if decoded else None,
        "timestamp": reading["timestamp"] if decoded else None,
        **{c: (_f32(reading[c]) if decoded else None) for c in ("voltage", "current", "temperature", "irradiance")},
        # published 2 s after the measurement unless said otherwise
        "publishMs": published if published is not None else (reading["timestamp"] + 2000 if reading else START),
        "kafkaPartition": partition,
        "kafkaOffset": offset,
    }


BASE = dict(VECTORS[0]["reading"])


def _validate(records):
    frame = pd.DataFrame(records)
    for c in ("voltage", "current", "temperature", "irradiance"):
        frame[c] = frame[c].astype(np.float32)
    return ingest.validate_records(frame, DAYS)


def test_verdicts_name_the_reason_and_field_and_keep_the_payload():
    cases = [
        (_record(BASE), "", None),
        (_record(dict(BASE, voltage=2000.0)), "out_of_range", "voltage"),
        (_record(dict(BASE, current=math.nan)), "non_finite", "current"),
        (_record(dict(BASE, deviceId="bad id!")), "bad_device_id", "deviceId"),
        (_record(BASE, key="PV-999"), "key_mismatch", "deviceId"),
        (_record(None, key="PV-000123", value=b"\x01\x02", decoded=False), "malformed", None),
        (_record(BASE, value=bytes.fromhex(VECTORS[0]["avroHex"]) + b"\0"), "malformed", None),
    ]
    out = _validate([c[0] for c in cases])
    assert out["reason"].tolist() == [c[1] for c in cases]
    assert out["field"].tolist() == [c[2] for c in cases]
    assert out["detail"][0] == "" and out["payload"][0] is None
    assert out["detail"][1] == "voltage: 2000 V is above the maximum 1500 V"
    assert json.loads(out["payload"][2])["current"] == "NaN"
    assert out["detail"][6] == "malformed Avro reading: 1 trailing bytes after the record"
    # a record that names no device counts for none, and its bytes are kept
    assert out["deviceId"][5] is None and out["deviceId"][6] is None
    assert base64.b64decode(out["payload"][5]) == b"\x01\x02"
    # a reading that names a device counts for that device even when it is set aside, unless its id is bad
    assert out["deviceId"][3] == "bad id!" and out["deviceId"][4] == "PV-000123"
    assert out["inRow"].tolist() == [True, True, True, False, True, False, False]


def test_payload_is_written_like_javascripts_json_stringify():
    text = ingest.payload_json({"deviceId": "A", "timestamp": 1, "voltage": 2000.0, "current": _f32(21.3), "temperature": -math.inf, "irradiance": 0.5})
    assert text == '{"deviceId":"A","timestamp":1,"voltage":2000,"current":21.299999237060547,"temperature":"-Infinity","irradiance":0.5}'


CASES = json.load(open(os.path.join(FIXTURES, "contracts", "reading-cases.json"), encoding="utf-8"),
                  object_hook=lambda o: {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[o["$float"]] if set(o) == {"$float"} else o)


def _decodable(case):
    # cases that Avro bytes can carry: every field present, of its type
    r = dict(CASES["base"], **case.get("patch", {}))
    return not case.get("remove") and set(r) == set(CASES["base"]) and isinstance(r["deviceId"], str) and all(
        isinstance(r[k], (int, float)) and not isinstance(r[k], bool) for k in r if k != "deviceId") and float(r["timestamp"]).is_integer()


@pytest.mark.parametrize("case", [c for c in CASES["cases"] if _decodable(c)], ids=lambda c: c["name"])
def test_the_fast_path_agrees_with_the_shared_validation_vectors(case):
    reading = dict(CASES["base"], **case.get("patch", {}))
    reading["timestamp"] = int(reading["timestamp"])
    for c in ("voltage", "current", "temperature", "irradiance"):
        reading[c] = _f32(reading[c])
    value = b"\0" * ingest.encoded_length(reading["deviceId"], reading["timestamp"])
    out = _validate([_record(reading, value=value)])
    # float32 can move a value across a limit that the float64 vector sits on
    issues = contracts.validate_reading(reading)
    expected = [issues[0][0], issues[0][1]] if issues else ["", None]
    assert [out["reason"][0], out["field"][0]] == expected


def _frame(rows):
    return pd.DataFrame(rows, columns=[n for n, _ in ingest.VALIDATED_COLUMNS])


def _valid(ts, v=100.0, partition=0, offset=0, reason=""):
    return {"deviceId": "PV-1", "timestamp": ts, "voltage": v, "current": 1.0, "temperature": 20.0, "irradiance": 500.0,
            "kafkaPartition": partition, "kafkaOffset": offset, "reason": reason, "field": None, "detail": "", "payload": None,
            "inRow": True}


def test_duplicates_keep_the_reading_nearest_the_slot_then_the_earliest_to_arrive():
    rows = [
        _valid(START + 3 * STEP + 4000, v=1.0, offset=0),
        _valid(START + 3 * STEP - 1000, v=2.0, offset=1),  # nearer: wins
        _valid(START + 5 * STEP + 1000, v=3.0, offset=3),
        _valid(START + 5 * STEP - 1000, v=4.0, offset=2),  # same distance, arrived first: wins
    ]
    # the frame order is not the arrival order: Spark groups do not keep it
    row = ingest.silver_row_of_device("PV-1", _frame(rows[::-1]), START, END)
    assert row["voltage"][3] == 2.0 and row["voltage"][5] == 4.0
    assert row["duplicates"] == 2 and row["observed"] == 2 and row["received"] == 4


def test_short_gaps_are_filled_long_ones_and_edges_stay_missing():
    slots = [0, 1, 5, 6, 11]  # gap of 3 (filled), gap of 4 (missing), the rest of the day missing
    row = ingest.silver_row_of_device("PV-1", _frame([_valid(START + s * STEP, v=float(s), offset=s) for s in slots]), START, END)
    q = row["quality"]
    assert q[:7].tolist() == [0, 0, 1, 1, 1, 0, 0]
    assert q[7:11].tolist() == [2, 2, 2, 2] and q[11] == 0 and (q[12:] == 2).all()
    assert row["voltage"][3] == pytest.approx(3.0) and math.isnan(row["voltage"][8])
    assert row["filled"] == 3 and row["observed"] == 5 and row["missing"] == row["samples"] - 8


def test_late_and_other_day_readings():
    rows = [
        _valid(START + 10 * STEP, v=1.0, partition=0, offset=100),  # published late: still the day's
        _valid(START - STEP, v=9.0, offset=1),  # the day before: not counted at all
        _valid(END + 60_000, v=9.0, offset=2),  # the day after
        _valid(START - STEP // 2, v=5.0, offset=3),  # half a slot early: slot 0
    ]
    row = ingest.silver_row_of_device("PV-1", _frame(rows), START, END)
    assert row["received"] == 2 and row["observed"] == 2
    assert row["voltage"][0] == 5.0 and row["voltage"][10] == 1.0


def test_quarantined_readings_count_whatever_their_time_and_enter_no_slot():
    rows = [_valid(START + STEP, v=100.0), _valid(START + 2 * STEP, v=2000.0, offset=1, reason="out_of_range"),
            _valid(END + 10 * 86_400_000, offset=2, reason="out_of_range")]
    row = ingest.silver_row_of_device("PV-1", _frame(rows), START, END)
    assert (row["received"], row["quarantined"], row["observed"]) == (3, 2, 1)
    assert row["quality"][2] == 2


def test_a_device_with_only_quarantined_readings_gets_an_empty_grid():
    row = ingest.silver_row_of_device("PV-1", _frame([_valid(START, reason="non_finite")]), START, END)
    assert row["observed"] == 0 and row["missing"] == row["samples"] == 4320
    assert np.isnan(row["irradiance"]).all()


def test_a_reading_under_another_devices_key_counts_in_its_devices_one_row():
    # the simulator never publishes these; a gateway that mislabels does, and Kafka puts
    # them in the key's partition: the job groups validated records by deviceId alone
    own = [_record(dict(BASE, timestamp=START + s * STEP), partition=1, offset=s) for s in range(3)]
    strays = [_record(dict(BASE, timestamp=START + 3 * STEP), key="PV-999", partition=0, offset=7),
              _record(dict(BASE, timestamp=START + 4 * STEP, voltage=2000.0), key="PV-999", partition=2, offset=4)]
    out = _validate(own + strays)
    assert out["reason"].tolist() == ["", "", "", "key_mismatch", "out_of_range"]
    assert out["detail"][3] == 'Kafka key "PV-999" differs from deviceId "%s"' % BASE["deviceId"]
    assert set(out["deviceId"]) == {BASE["deviceId"]}
    groups = list(out.groupby("deviceId"))
    assert len(groups) == 1
    row = ingest.silver_row_of_device(groups[0][0], groups[0][1], START, END)
    assert (row["received"], row["quarantined"], row["observed"], row["duplicates"]) == (5, 2, 3, 0)
    # nothing lost: every record is a kept reading or a quarantined one
    assert row["received"] == row["observed"] + row["duplicates"] + row["quarantined"] == len(out)
    assert row["quality"][3] == 2 and row["quality"][4] == 2


BAD_IDS = ("", "../etc/passwd", "PV\x00001", "PV-\u202e001")
"""ids that fail the contract's pattern: empty, a path, a NUL, a right-to-left override"""


def test_valid_readings_of_other_days_are_counted_or_quarantined_never_dropped():
    at = lambda ts, published, offset: _record(dict(BASE, timestamp=ts), published=published, offset=offset)  # noqa: E731
    out = _validate([
        at(START - STEP, START - STEP + 2000, 0),  # the day before's last slot: that run takes it
        at(START - HOUR, START + 2 * HOUR, 1),  # the day before's, 2 h after it ended: that run takes it
        at(END + 5000, END + 6000, 2),  # the next day's slot 0: that run takes it
        at(START - HOUR, START + 4 * HOUR, 3),  # 4 h after its day ended: no run takes it
        at(START - 30 * HOUR, START + HOUR, 4),  # two days before
        at(END + 2 * HOUR, START + 12 * HOUR, 5),  # the next day's, before that day's window opens
        at(END + 30 * HOUR, END + HOUR, 6),  # two days after
        at(START + HOUR, END + 3 * HOUR - 1, 7),  # the day's own, published late within the lateness
    ])
    assert out["reason"].tolist() == ["", "", "", "too_late", "too_late", "other_day", "other_day", ""]
    assert out["field"].tolist() == [None] * 3 + ["timestamp"] * 4 + [None]
    assert out["inRow"].tolist() == [False, False, False, True, True, True, True, True]
    assert out["detail"][3] == ingest.placement_detail("too_late", START - HOUR, START + 4 * HOUR, DAYS)
    # nothing of the reading is lost: the quarantine row carries it
    assert json.loads(out["payload"][5])["timestamp"] == END + 2 * HOUR


def test_bad_device_ids_are_quarantined_and_never_get_a_silver_row():
    good = [_record(dict(BASE, timestamp=START + s * STEP), offset=s) for s in range(3)]
    bad = [_record(dict(BASE, deviceId=i), offset=10 + k) for k, i in enumerate(BAD_IDS)]
    # one under a valid device's key: its first problem is still the id
    bad.append(_record(dict(BASE, deviceId=BAD_IDS[1]), key=BASE["deviceId"], offset=20))
    out = _validate(good + bad)
    assert out["reason"].tolist() == [""] * 3 + ["bad_device_id"] * 5
    assert out["deviceId"].tolist()[3:] == list(BAD_IDS) + [BAD_IDS[1]]  # as read, in the quarantine row
    assert out["detail"][4] == 'deviceId: "../etc/passwd" does not match %s' % contracts.DEVICE_ID_PATTERN.pattern
    # as ingest_data.run: validated.where(inRow).groupBy("deviceId")
    rows = [ingest.silver_row_of_device(d, g, START, END) for d, g in out[out["inRow"]].groupby("deviceId", sort=True)]
    assert [r["deviceId"] for r in rows] == [BASE["deviceId"]]
    assert (rows[0]["received"], rows[0]["quarantined"]) == (3, 0)
    # the device range a marker records stays a valid id
    assert all(contracts.DEVICE_ID_PATTERN.fullmatch(r["deviceId"]) for r in rows)


def _run_totals_of(validated, rows):
    verdicts = validated.groupby(["reason", "inRow"]).size().to_dict()
    silver = {k: sum(int(r[k]) for r in rows) for k in ("observed", "duplicates", "filled", "missing")}
    return ingest.run_totals(verdicts, silver)


def test_every_record_read_is_accounted_for():
    records = [_record(dict(BASE, timestamp=START + s * STEP), offset=s) for s in range(5)]
    records += [
        _record(dict(BASE, timestamp=START + 2 * STEP + 500), offset=5),  # a duplicate of slot 2
        _record(dict(BASE, voltage=2000.0), offset=6),  # out_of_range
        _record(None, key="PV-000123", value=b"\x01", decoded=False, offset=7),  # malformed, names no device
        _record(dict(BASE, timestamp=START - STEP), offset=8),  # the day before's: adjacent
        _record(dict(BASE, timestamp=START - HOUR), published=START + 4 * HOUR, offset=9),  # too_late
        _record(dict(BASE, timestamp=END + 2 * HOUR), published=START + HOUR, offset=10),  # other_day
    ] + [_record(dict(BASE, deviceId=i), offset=11 + k) for k, i in enumerate(BAD_IDS)]
    out = _validate(records)
    rows = [ingest.silver_row_of_device(d, g, START, END) for d, g in out[out["inRow"]].groupby("deviceId", sort=True)]
    totals = _run_totals_of(out, rows)
    assert totals["recordsRead"] == len(records) == 15
    assert totals["quarantined"] == {"bad_device_id": 4, "malformed": 1, "other_day": 1, "out_of_range": 1, "too_late": 1}
    assert (totals["observed"], totals["duplicates"], totals["adjacentDay"]) == (5, 1, 1)
    # the identity both ingest jobs hold to (the local one in test/local/ingest.test.ts)
    assert totals["recordsRead"] == totals["observed"] + totals["duplicates"] + sum(totals["quarantined"].values()) + totals["adjacentDay"]
    # and the silver row agrees: kept, duplicate or quarantined (out_of_range, too_late, other_day)
    assert rows[0]["received"] == 5 + 1 + 3 and rows[0]["quarantined"] == 3


def test_a_run_whose_totals_do_not_add_up_is_refused():
    out = _validate([_record(dict(BASE, timestamp=START + s * STEP), offset=s) for s in range(4)])
    rows = [ingest.silver_row_of_device("PV-000123", out[out["inRow"]].iloc[:3], START, END)]  # one reading lost on the way
    with pytest.raises(RuntimeError, match="4 records read, but 3 accounted for: 3 observed"):
        _run_totals_of(out, rows)


with open(os.path.join(FIXTURES, "contracts", "empty-day-cases.json"), encoding="utf-8") as _f:
    EMPTY_DAY_CASES = json.load(_f)["cases"]


@pytest.mark.parametrize("case", EMPTY_DAY_CASES, ids=[c["name"] for c in EMPTY_DAY_CASES])
def test_a_day_without_valid_readings_is_refused_by_the_contracts_rule_with_the_local_ingests_message(case):
    # the same cases hold contracts/emptyDay.ts, which the local ingest applies
    assert ingest.refuse_empty_day(case["date"], case["recordsRead"], case["quarantined"], case["valid"]) == case["refusal"]


def test_the_empty_day_threshold_is_the_contracts():
    assert ingest.EMPTY_DAY_MIN_VALID_READINGS == contracts.TABLES_CONTRACT["emptyDay"]["minValidReadings"] >= 1
    n = contracts.TABLES_CONTRACT["emptyDay"]["minValidReadings"]
    assert ingest.refuse_empty_day("2026-06-20", n, 0, n) is None
    assert "%d valid readings" % (n - 1) in ingest.refuse_empty_day("2026-06-20", n, 1, n - 1)


def test_validated_schema_keeps_the_verdict_columns_required():
    fields = {f["name"]: f for f in ingest.validated_spark_schema()["fields"]}
    assert [n for n, f in fields.items() if not f["nullable"]] == ["kafkaPartition", "kafkaOffset", "reason", "detail", "inRow"]
    quarantine = [c["name"] for c in contracts.table_columns("silver_quarantine")]
    assert set(quarantine) <= set(fields)


def _handed_over(case):
    """A shared vector's record as the job hands it to validate_records: key and deviceId as
    bytes (Spark checks neither for UTF-8), from_avro's long timestamp exact in an int64
    column, the readings float32; an undecodable record has no fields."""
    d = case["decoded"]
    frame = pd.DataFrame([{
        "key": bytes.fromhex(case["keyHex"]), "value": bytes.fromhex(case["valueHex"]), "decoded": d is not None,
        "deviceId": bytes.fromhex(d["deviceIdHex"]) if d else None, "timestamp": int(d["timestamp"]) if d else 0,
        **{c: (d[c] if d else None) for c in ("voltage", "current", "temperature", "irradiance")},
        "publishMs": START + 12 * HOUR, "kafkaPartition": 0, "kafkaOffset": 7,
    }])
    for c in ("voltage", "current", "temperature", "irradiance"):
        frame[c] = frame[c].astype(np.float32)
    return frame


with open(os.path.join(FIXTURES, "contracts", "undecodable-records.json"), encoding="utf-8") as _f:
    UNDECODABLE = json.load(_f)["cases"]


@pytest.mark.parametrize("case", UNDECODABLE, ids=[c["case"] for c in UNDECODABLE])
def test_records_that_name_no_device_are_malformed_as_the_local_ingest_says(case):
    # as the job hands them over: key and deviceId as bytes (Spark checks neither for UTF-8)
    row = ingest.validate_records(_handed_over(case), DAYS).iloc[0]
    assert (row["reason"], row["field"], row["detail"]) == (case["reason"], case["field"], case["detail"])
    assert row["deviceId"] is None and pd.isna(row["timestamp"]) and not row["inRow"]
    assert row["payload"] == base64.b64encode(bytes.fromhex(case["valueHex"])).decode("ascii")


with open(os.path.join(FIXTURES, "contracts", "long-timestamp-records.json"), encoding="utf-8") as _f:
    LONG_TIMESTAMPS = json.load(_f)["cases"]


@pytest.mark.parametrize("case", LONG_TIMESTAMPS, ids=[c["case"] for c in LONG_TIMESTAMPS])
def test_a_timestamp_past_2_53_is_out_of_range_as_the_local_ingest_says(case):
    # as the job hands it over: from_avro's long, exact in an int64 column (never float64: test_ingest's _record)
    frame = _handed_over(case)
    assert frame["timestamp"].dtype == np.int64
    row = ingest.validate_records(frame, DAYS).iloc[0]
    assert (row["reason"], row["field"], row["detail"]) == (case["reason"], case["field"], case["detail"])
    assert row["deviceId"] == case["deviceId"] and int(row["timestamp"]) == int(case["timestamp"])
    assert row["payload"] == case["payload"]
    # the device it names counts it as set aside
    assert row["inRow"]


def test_a_timestamp_past_2_53_stays_exact_beside_an_undecodable_record():
    # a null timestamp (the undecodable record) in the same batch must not turn the column float64
    case = LONG_TIMESTAMPS[0]
    d = case["decoded"]
    frame = pd.DataFrame([{
        "key": bytes.fromhex(case["keyHex"]), "value": bytes.fromhex(case["valueHex"]), "decoded": True,
        "deviceId": bytes.fromhex(d["deviceIdHex"]), "timestamp": int(d["timestamp"]),
        **{c: d[c] for c in ("voltage", "current", "temperature", "irradiance")},
        "publishMs": START + 12 * HOUR, "kafkaPartition": 0, "kafkaOffset": 7,
    }, {
        "key": b"PV-000004", "value": b"\xff", "decoded": False, "deviceId": None, "timestamp": 0,
        **{c: None for c in ("voltage", "current", "temperature", "irradiance")},
        "publishMs": START + 12 * HOUR, "kafkaPartition": 0, "kafkaOffset": 8,
    }])
    for c in ("voltage", "current", "temperature", "irradiance"):
        frame[c] = frame[c].astype(np.float32)
    out = ingest.validate_records(frame, DAYS)
    assert out["reason"].tolist() == ["out_of_range", "malformed"]
    # nullable int64 (Arrow takes it as int64 with a null), the value exact
    assert str(out["timestamp"].dtype) == "Int64"
    assert out["timestamp"][0] == int(case["timestamp"]) and out["timestamp"].isna()[1]
