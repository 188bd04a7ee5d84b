"""The tables of contracts/tables.json as the Spark jobs write them, and the commit protocol.

- spark_schema(table): the table as a Spark StructType JSON (StructType.fromJson), with the
  contract's nullability and required list elements;
- to_frame(table, rows): rows (dicts) -> a pandas frame in the contract's column order with
  dtypes that survive Arrow (nullable integers as objects, so None stays null);
- publish(store, ...): contracts/partition.ts for files Spark has written: the run's files
  get their contract names (part-NNNNN.parquet under date=/run=), the run the commit
  replaces is recorded (superseded_key), the commit marker is written in one PUT, then
  the table's superseded runs whose grace is over are deleted (sweep_superseded).

The store is anything with read_text, write_text, move, delete and list (keys under a
prefix) on keys relative to the bucket (pvfault.sparkio.HadoopStore on Spark; a dict in
the tests). Python 3.9-compatible.
"""
import json
import re
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from pvfault.contracts import (SUPERSEDED_GRACE_MS, TABLES_CONTRACT, commit_key, data_key, superseded_key,
                               superseded_prefix, table_columns)

_SPARK_TYPES = {"string": "string", "int32": "integer", "int64": "long", "float32": "float", "float64": "double"}
_NUMPY_TYPES = {"int32": np.int32, "int64": np.int64, "float32": np.float32, "float64": np.float64}

ROW_GROUP_BYTES = {
    # parquet-mr cuts row groups by buffered bytes, not rows: these aim at the row counts the
    # TypeScript writer uses (local/jobs/ingest.ts, predict.ts) so that the API's one-device
    # lookup reads about as little: ~64 silver device-days (86 KB each unencoded), ~20 devices
    # of gold windows (67 rows of ~45 encoded bytes), ~250 device summaries
    "silver_device_day": 8 << 20,
    "silver_quarantine": 1 << 20,
    # one small row per device (~100 encoded bytes): the predict job reads the whole day's
    "silver_device_registry": 1 << 20,
    "gold_window": 64 << 10,
    "gold_daily": 16 << 10,
    # local/jobs/predict.ts writes 10,000 baseline rows a group (~50 encoded bytes each)
    "device_baseline": 512 << 10,
    # a few rows a day
    "gold_plant_condition": 64 << 10,
}

ROWS_PER_FILE = {
    # files stay tens of MB: few enough to list and footer-read, enough for parallel reads
    "silver_device_day": 1_000,
    "silver_quarantine": 1_000_000,
    "silver_device_registry": 1_000_000,
    "gold_window": 5_000 * 67,
    "gold_daily": 1_000_000,
    "device_baseline": 1_000_000,
    "gold_plant_condition": 1_000_000,
}


def files_for(table, rows):
    """How many part files a table of this many rows is written as (at least one)."""
    return max(1, -(-int(rows) // ROWS_PER_FILE[table]))


def float_list_columns(table):
    """The table's float32[]/float64[] columns: NaN is a value in them, and Arrow from pandas makes it null."""
    return [c["name"] for c in table_columns(table) if c["type"] in ("float32[]", "float64[]")]


def spark_schema(table, arrow_input=False):
    """The table as Spark's StructType JSON: StructType.fromJson(spark_schema(table)).

    arrow_input: the schema a pandas UDF returns the table in, where float lists may hold
    nulls for NaN (sparkio.nan_for_null turns them back before writing).
    """
    fields = []
    lists = set(float_list_columns(table)) if arrow_input else set()
    for col in table_columns(table):
        t = col["type"]
        if t.endswith("[]"):
            spark_type = {"type": "array", "elementType": _SPARK_TYPES[t[:-2]], "containsNull": col["name"] in lists}
        else:
            spark_type = _SPARK_TYPES[t]
        fields.append({"name": col["name"], "type": spark_type, "nullable": col["nullable"], "metadata": {}})
    return {"type": "struct", "fields": fields}


def to_frame(table, rows):
    """Rows (dicts) -> a pandas frame with exactly the table's columns, in order."""
    data = {}
    for col in table_columns(table):
        name, t = col["name"], col["type"]
        values = [r[name] for r in rows]
        if t.endswith("[]"):
            data[name] = pd.Series([np.asarray(v, dtype=_NUMPY_TYPES[t[:-2]]) for v in values], dtype=object)
        elif t == "string":
            data[name] = pd.Series(values, dtype=object)
        elif col["nullable"] and t in ("int32", "int64"):
            # an int column with a None would become float64 in pandas: objects keep ints exact and None null
            data[name] = pd.Series([None if v is None else int(v) for v in values], dtype=object)
        elif t in ("int32", "int64"):
            # pandas turns a NaN in an int column into float64 without a word (and will raise a bare
            # IntCastingNaNError): a job that leaves a required count out must be told which one
            missing = next((i for i, v in enumerate(values) if v is None), None)
            if missing is not None:
                raise ValueError("%s.%s is not nullable (contracts/tables.json) but row %d has no value" % (table, name, missing))
            data[name] = pd.Series(values, dtype=_NUMPY_TYPES[t])
        else:
            data[name] = pd.Series([np.nan if v is None else v for v in values], dtype=_NUMPY_TYPES[t])
    return pd.DataFrame(data, columns=[c["name"] for c in table_columns(table)])


def table_root(uri):
    """The root the table keys hang from: s3://bucket (the jobs' --silver-uri / --gold-uri), or a local folder for development."""
    m = re.match(r"^s3a?://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/?(.*)$", uri)
    if m:
        if m.group(2):
            # the state machine passes the bucket alone and the API reads keys from the bucket root
            raise ValueError("%r: pass the bucket alone (s3://bucket); the tables' keys start at its root" % (uri,))
        return "s3://" + m.group(1) if uri.startswith("s3://") else "s3a://" + m.group(1)
    if "://" in uri and not uri.startswith("file://"):
        raise ValueError("%r is neither s3://bucket nor a local folder" % (uri,))
    return uri.rstrip("/")


def iso_now(now=None):
    """JavaScript's toISOString: UTC with milliseconds and Z."""
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)


def run_prefix(table, date, run_id):
    """Folder of a run's files: every key of its commit marker starts with it."""
    return data_key(table, date, run_id, 0)[: -len("part-00000.parquet")]


def commit_marker(table, date, run_id, files, committed_at, input_run_id=None):
    marker = {
        "table": table,
        "date": date,
        "runId": run_id,
        "files": files,
        "rows": sum(f["rows"] for f in files),
        "committedAt": committed_at,
        "contractVersion": TABLES_CONTRACT["version"],
    }
    if input_run_id:
        marker["inputRunId"] = input_run_id
    return marker


def publish(store, table, date, run_id, staged, committed_at, input_run_id=None, grace_ms=None):
    """Publishes a run's staged files as the date's partition; returns the commit marker.

    staged: the files Spark wrote, in sort order (Spark part index), each
    {key, rows, bytes, minDeviceId, maxDeviceId}, keys relative to the bucket. Empty
    files are dropped unless the whole table is empty (then one empty file keeps the schema).
    """
    kept = [f for f in staged if f["rows"] > 0] or list(staged[:1])
    for f in staged:
        if not any(f is k for k in kept):
            store.delete(f["key"])
    files = []
    for part, f in enumerate(kept):
        key = data_key(table, date, run_id, part)
        store.move(f["key"], key)
        entry = {"key": key, "rows": int(f["rows"]), "bytes": int(f["bytes"])}
        if f["rows"] > 0 and f.get("minDeviceId") is not None:
            entry["minDeviceId"] = f["minDeviceId"]
            entry["maxDeviceId"] = f["maxDeviceId"]
        files.append(entry)
    marker = commit_marker(table, date, run_id, files, committed_at, input_run_id)
    previous = store.read_text(commit_key(table, date))
    replaced = _readable_marker(previous, table, date)
    # recorded before the marker moves on: a crash in between leaves a record of the still-committed run, which the sweep drops
    if replaced is not None and replaced["runId"] != run_id:
        record = dict(replaced, supersededAt=committed_at, supersededBy=run_id)
        store.write_text(superseded_key(table, date, replaced["runId"]), json.dumps(record, separators=(",", ":")) + "\n")
    store.write_text(commit_key(table, date), json.dumps(marker, separators=(",", ":")) + "\n")
    sweep_superseded(store, table, _epoch_ms(committed_at), SUPERSEDED_GRACE_MS if grace_ms is None else grace_ms)
    return marker


def _readable_marker(text, table, date):
    """A marker as committed, or None when it cannot be read as one (its files are then left alone)."""
    if not text:
        return None
    try:
        return read_marker(text, table, date)
    except ValueError:
        return None


def _epoch_ms(iso):
    """Epoch milliseconds of a toISOString time (…T…Z)."""
    when = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return int(round(when.timestamp() * 1000))


_SUPERSEDED_NAME = re.compile(r"date=(\d{4}-\d{2}-\d{2})/run=([A-Za-z0-9_-]+)\.json$")


def sweep_superseded(store, table, now_ms, grace_ms):
    """Deletes the files of the table's superseded runs whose grace is over, then their records.

    A run that is the committed one again (a record left by a crash between the record and
    the marker) only loses its record; an unreadable record is left for an operator. Returns
    the run ids whose files were deleted (contracts/partition.ts sweepSuperseded).
    """
    prefix = superseded_prefix(table)
    deleted = []
    for key in store.list(prefix):
        m = _SUPERSEDED_NAME.fullmatch(key[len(prefix):]) if key.startswith(prefix) else None
        if not m:
            continue
        date = m.group(1)
        text = store.read_text(key)
        if text is None:
            continue  # swept by a concurrent commit
        try:
            record = read_marker(text, table, date)
            superseded_at = _epoch_ms(record["supersededAt"])
            if not isinstance(record.get("supersededBy"), str):
                raise ValueError("supersededBy")
        except (ValueError, KeyError, TypeError):
            continue
        if now_ms - superseded_at < grace_ms:
            continue
        committed = _readable_marker(store.read_text(commit_key(table, date)), table, date)
        if committed is None or committed["runId"] != record["runId"]:
            for f in record["files"]:
                store.delete(f["key"])
            deleted.append(record["runId"])
        store.delete(key)
    return deleted


def readable_version(table, v):
    """Whether today's readers read a table's day written under contract version v: from the
    table's readableFrom up to this version (contracts/tableSpecs.ts isReadableVersion)."""
    return isinstance(v, int) and not isinstance(v, bool) and TABLES_CONTRACT["tables"][table]["readableFrom"] <= v <= TABLES_CONTRACT["version"]


def read_marker(text, table, date):
    """A commit marker checked the way contracts/tableSpecs.ts parseCommitMarker checks it."""
    try:
        m = json.loads(text)
    except ValueError:
        raise ValueError("commit marker for %s %s: not JSON" % (table, date))
    if not isinstance(m, dict) or m.get("table") != table or m.get("date") != date:
        raise ValueError("commit marker for %s %s: names another table or date" % (table, date))
    if not readable_version(table, m.get("contractVersion")):
        raise ValueError("commit marker for %s %s: contractVersion is %r, expected %d to %d" % (
            table, date, m.get("contractVersion"), TABLES_CONTRACT["tables"][table]["readableFrom"], TABLES_CONTRACT["version"]))
    if not isinstance(m.get("runId"), str):
        raise ValueError("commit marker for %s %s: runId is not a string" % (table, date))
    prefix = run_prefix(table, date, m["runId"])
    for f in m.get("files", None) or []:
        if not isinstance(f.get("key"), str) or not f["key"].startswith(prefix) or ".." in f["key"]:
            raise ValueError("commit marker for %s %s: files holds a key outside %s" % (table, date, prefix))
    if not isinstance(m.get("files"), list):
        raise ValueError("commit marker for %s %s: files is not a list" % (table, date))
    return m
