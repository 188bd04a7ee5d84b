"""Table schemas for Spark, frames for Arrow, and the commit protocol over a store."""
import json
import os

import numpy as np
import pytest

from pvfault import contracts, tables


def test_spark_schema_is_the_contract():
    for table in contracts.TABLES_CONTRACT["tables"]:
        schema = tables.spark_schema(table)
        cols = contracts.table_columns(table)
        assert [f["name"] for f in schema["fields"]] == [c["name"] for c in cols]
        for f, c in zip(schema["fields"], cols):
            assert f["nullable"] == c["nullable"]
            if c["type"].endswith("[]"):
                assert f["type"]["containsNull"] is False
    arrow = {f["name"]: f["type"] for f in tables.spark_schema("silver_device_day", arrow_input=True)["fields"]}
    assert arrow["voltage"] == {"type": "array", "elementType": "float", "containsNull": True}
    assert arrow["quality"]["containsNull"] is False and arrow["stepMs"] == "integer" and arrow["startMs"] == "long"


def test_frames_keep_ints_exact_and_nulls_null():
    rows = [{c["name"]: None for c in contracts.table_columns("gold_daily")}]
    rows[0].update(deviceId="PV-1", windows=67, predicted=0, skipped=67, modelVersion="m", baselineDays=0, plantEventWindows=0,
                   **{"n_" + c: 0 for c in contracts.FAULT_CLASSES})
    rows.append(dict(rows[0], verdict="arc_fault", alarmConfidence=0.5, alarmOnsetMs=1_763_593_200_000, meanConfidence=0.75))
    frame = tables.to_frame("gold_daily", rows)
    assert list(frame.columns) == [c["name"] for c in contracts.table_columns("gold_daily")]
    assert frame["alarmOnsetMs"].tolist() == [None, 1_763_593_200_000]
    assert frame["windows"].dtype == np.int32 and np.isnan(frame["meanConfidence"][0])
    assert tables.to_frame("gold_window", []).shape == (0, len(contracts.table_columns("gold_window")))


def test_a_required_int_left_out_is_named():
    row = {c["name"]: None for c in contracts.table_columns("gold_daily")}
    row.update(deviceId="PV-1", windows=67, predicted=0, skipped=67, modelVersion="m", baselineDays=0, plantEventWindows=0,
               **{"n_" + c: 0 for c in contracts.FAULT_CLASSES})
    with pytest.raises(ValueError, match=r"gold_daily\.baselineDays is not nullable .* row 1 has no value"):
        tables.to_frame("gold_daily", [row, dict(row, baselineDays=None)])


class Store(object):
    def __init__(self, objects=None):
        self.objects = dict(objects or {})
        self.log = []

    def read_text(self, key):
        return self.objects.get(key)

    def write_text(self, key, text):
        self.log.append(("put", key))
        self.objects[key] = text

    def move(self, src, dst):
        self.log.append(("move", src, dst))
        self.objects[dst] = self.objects.pop(src)

    def delete(self, key):
        self.log.append(("delete", key))
        self.objects.pop(key, None)

    def list(self, prefix):
        return sorted(k for k in self.objects if k.startswith(prefix))


def _staged(store, run, sizes):
    out = []
    for i, rows in enumerate(sizes):
        key = tables.run_prefix("gold_daily", "2026-11-19", run) + "spark-staging/part-%05d-x.snappy.parquet" % i
        store.objects[key] = "data"
        out.append({"key": key, "rows": rows, "bytes": 100 + i, "minDeviceId": "A%d" % i if rows else None, "maxDeviceId": "B%d" % i if rows else None})
    return out


def test_publish_names_the_files_then_records_the_superseded_run_then_commits():
    store = Store()
    first = tables.publish(store, "gold_daily", "2026-11-19", "run-1", _staged(store, "run-1", [3, 0, 2]), "2026-11-20T01:00:00.000Z")
    assert [f["key"] for f in first["files"]] == ["daily/date=2026-11-19/run=run-1/part-00000.parquet", "daily/date=2026-11-19/run=run-1/part-00001.parquet"]
    assert first["files"][1] == {"key": "daily/date=2026-11-19/run=run-1/part-00001.parquet", "rows": 2, "bytes": 102, "minDeviceId": "A2", "maxDeviceId": "B2"}
    assert first["rows"] == 5 and first["contractVersion"] == contracts.TABLES_CONTRACT["version"]
    store.log.clear()
    second = tables.publish(store, "gold_daily", "2026-11-19", "run-2", _staged(store, "run-2", [4]), "2026-11-20T02:00:00.000Z", input_run_id="s-9")
    commit = contracts.commit_key("gold_daily", "2026-11-19")
    record = contracts.superseded_key("gold_daily", "2026-11-19", "run-1")
    assert store.log == [("move", store.log[0][1], "daily/date=2026-11-19/run=run-2/part-00000.parquet"), ("put", record), ("put", commit)]
    # the superseded run's files stay for the grace period, named by its record
    assert json.loads(store.objects[record]) == dict(first, supersededAt="2026-11-20T02:00:00.000Z", supersededBy="run-2")
    assert all(f["key"] in store.objects for f in first["files"])
    assert json.loads(store.objects[commit]) == second and second["inputRunId"] == "s-9"
    assert store.objects[commit].endswith("\n")
    assert tables.read_marker(store.objects[commit], "gold_daily", "2026-11-19")["runId"] == "run-2"


def test_an_empty_table_keeps_one_file_and_a_republished_run_deletes_nothing():
    store = Store()
    marker = tables.publish(store, "gold_daily", "2026-11-19", "r", _staged(store, "r", [0, 0]), "2026-11-20T01:00:00.000Z")
    assert [(f["rows"], "minDeviceId" in f) for f in marker["files"]] == [(0, False)] and marker["rows"] == 0
    store.log.clear()
    tables.publish(store, "gold_daily", "2026-11-19", "r", _staged(store, "r", [1]), "2026-11-20T01:00:00.000Z")
    assert [e for e in store.log if e[0] == "delete"] == []
    assert not [k for k in store.objects if "_superseded" in k]


def _scenario():
    with open(os.path.join(os.path.dirname(__file__), "..", "fixtures", "contracts", "superseded-runs.json")) as f:
        return json.load(f)


def _part_files(table, date, run_id, n):
    return [{"key": contracts.data_key(table, date, run_id, i), "rows": 1, "bytes": 1} for i in range(n)]


def test_superseded_runs_scenario_shared_with_typescript():
    scenario = _scenario()
    table, grace = scenario["table"], scenario["graceMs"]
    store = Store()
    for n, step in enumerate(scenario["steps"], 1):
        for p in step.get("plant", []):
            if "text" in p:
                store.objects[p["key"]] = p["text"]
            if "marker" in p:
                m = p["marker"]
                files = _part_files(table, m["date"], m["runId"], m["files"])
                record = {"table": table, "date": m["date"], "runId": m["runId"], "files": files, "rows": len(files),
                          "committedAt": m["supersededAt"], "contractVersion": contracts.TABLES_CONTRACT["version"],
                          "supersededAt": m["supersededAt"], "supersededBy": m["supersededBy"]}
                store.objects[p["key"]] = json.dumps(record) + "\n"
        c = step["commit"]
        staged = []
        for i in range(c["files"]):
            key = tables.run_prefix(table, c["date"], c["runId"]) + "spark-staging/part-%05d-x.snappy.parquet" % i
            store.objects[key] = "x"
            staged.append({"key": key, "rows": 1, "bytes": 1, "minDeviceId": None, "maxDeviceId": None})
        tables.publish(store, table, c["date"], c["runId"], staged, c["at"], grace_ms=grace)
        assert sorted(store.objects) == step["keys"], "step %d: %s" % (n, step["why"])
        if "record" in step:
            r = json.loads(store.objects[step["record"]["key"]])
            assert (r["table"], r["runId"], r["supersededBy"], r["supersededAt"]) == (table, step["record"]["runId"], step["record"]["supersededBy"], step["record"]["supersededAt"])
            assert [f["key"] for f in r["files"]] == step["record"]["files"]


def test_the_default_grace_outlasts_any_job_and_the_api_cache():
    assert contracts.SUPERSEDED_GRACE_MS >= 24 * 3_600_000
    store = Store()
    tables.publish(store, "gold_daily", "2026-11-19", "a", _staged(store, "a", [1]), "2026-11-20T01:00:00.000Z")
    tables.publish(store, "gold_daily", "2026-11-19", "b", _staged(store, "b", [1]), "2026-11-20T01:00:00.001Z")
    tables.publish(store, "gold_daily", "2026-11-18", "c", _staged(store, "c", [1]), "2026-11-21T01:00:00.000Z")
    assert "daily/date=2026-11-19/run=a/part-00000.parquet" in store.objects
    tables.publish(store, "gold_daily", "2026-11-17", "d", _staged(store, "d", [1]), "2026-11-21T01:00:00.002Z")
    assert "daily/date=2026-11-19/run=a/part-00000.parquet" not in store.objects


def test_a_record_naming_keys_outside_its_run_deletes_nothing():
    store = Store()
    outside = "daily/date=2026-11-18/run=keep/part-00000.parquet"
    store.objects[outside] = "x"
    record = {"table": "gold_daily", "date": "2026-11-19", "runId": "a", "rows": 1, "committedAt": "2026-11-19T00:00:00.000Z",
              "contractVersion": contracts.TABLES_CONTRACT["version"], "supersededAt": "2026-11-19T00:00:00.000Z", "supersededBy": "b",
              "files": [{"key": "daily/date=2026-11-19/run=a/../../date=2026-11-18/run=keep/part-00000.parquet", "rows": 1, "bytes": 1}]}
    store.objects[contracts.superseded_key("gold_daily", "2026-11-19", "a")] = json.dumps(record)
    assert tables.sweep_superseded(store, "gold_daily", 10 ** 13, 0) == []
    assert outside in store.objects


def test_read_marker_refuses_keys_outside_the_run_and_other_contract_versions():
    good = {"table": "silver_device_day", "date": "2026-11-19", "runId": "r", "rows": 0, "committedAt": "t",
            "contractVersion": contracts.TABLES_CONTRACT["version"], "files": [{"key": "device_day/date=2026-11-19/run=r/part-00000.parquet", "rows": 0, "bytes": 1}]}
    tables.read_marker(json.dumps(good), "silver_device_day", "2026-11-19")
    for bad in (dict(good, contractVersion=99), dict(good, date="2026-11-18"),
                dict(good, files=[{"key": "device_day/date=2026-11-19/run=other/part-00000.parquet"}])):
        with pytest.raises(ValueError):
            tables.read_marker(json.dumps(bad), "silver_device_day", "2026-11-19")


def test_read_marker_reads_older_versions_a_table_is_readable_from():
    # an upgrade must not stop the next day's predict on the baseline an older version wrote
    version = contracts.TABLES_CONTRACT["version"]
    base = {"table": "device_baseline", "date": "2026-11-19", "runId": "r", "rows": 0, "committedAt": "t",
            "files": [{"key": "baseline/date=2026-11-19/run=r/part-00000.parquet", "rows": 0, "bytes": 1}]}
    oldest = contracts.TABLES_CONTRACT["tables"]["device_baseline"]["readableFrom"]
    assert oldest < version
    for v in range(oldest, version + 1):
        assert tables.read_marker(json.dumps(dict(base, contractVersion=v)), "device_baseline", "2026-11-19")["contractVersion"] == v
    for v in (oldest - 1, version + 1, str(version), True):
        with pytest.raises(ValueError, match="contractVersion"):
            tables.read_marker(json.dumps(dict(base, contractVersion=v)), "device_baseline", "2026-11-19")
    assert tables.readable_version("gold_plant_condition", 5) and not tables.readable_version("gold_plant_condition", 4)
    # the registry is new in version 6 and gained the per-unit columns in 7 (vmpStcV, impStcA, vmpDropPerKelvin), which the predict job reads
    assert tables.readable_version("silver_device_registry", 7) and not tables.readable_version("silver_device_registry", 6)
    # gold_daily gained nullable columns in 6 (design, designSource) that readers of older days do without
    assert tables.readable_version("gold_daily", 4)


def test_table_root_takes_the_bucket_as_the_state_machine_passes_it():
    assert tables.table_root("s3://pv-silver-dev") == "s3://pv-silver-dev"
    assert tables.table_root("s3://pv-silver-dev/") == "s3://pv-silver-dev"
    assert tables.table_root("/tmp/out/silver/") == "/tmp/out/silver"
    for bad in ("s3://pv-silver-dev/prefix", "gs://bucket", "s3://UPPER"):
        with pytest.raises(ValueError):
            tables.table_root(bad)


def test_files_and_row_groups():
    assert tables.files_for("silver_device_day", 0) == 1
    assert tables.files_for("silver_device_day", 10_000) == 10
    assert tables.files_for("gold_daily", 10_000) == 1
    assert set(tables.ROW_GROUP_BYTES) == set(tables.ROWS_PER_FILE) == set(contracts.TABLES_CONTRACT["tables"])


def test_iso_now_is_javascripts_to_iso_string():
    from datetime import datetime, timezone
    assert tables.iso_now(datetime(2026, 11, 20, 1, 2, 3, 45_678, tzinfo=timezone.utc)) == "2026-11-20T01:02:03.045Z"
