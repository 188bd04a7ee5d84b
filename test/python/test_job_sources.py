"""The Spark jobs' sources against what the state machine passes them and what the tables say.

PySpark is not installed here, so this reads the job files (ast) and runs their
pyspark-free parts: a renamed flag, a Kafka option lost, or a table written to the
wrong bucket fails here instead of on EMR.
"""
import ast
import importlib.util
import json
import os
import re

import pytest

from conftest import REPO
from pvfault import baseline, contracts, ingest, registry, tables
from pvfault.alarms import thresholds_for

JOBS = os.path.join(REPO, "spark", "jobs")
with open(os.path.join(REPO, "statemachine", "daily.asl.json"), encoding="utf-8") as _f:
    ASL = json.load(_f)


def _source(name):
    with open(os.path.join(JOBS, name), encoding="utf-8") as f:
        return ast.parse(f.read())


def _module(name):
    spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(JOBS, name))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _ts_flags(const):
    with open(os.path.join(REPO, "local", "jobs", "args.ts"), encoding="utf-8") as f:
        m = re.search(r"export const %s = \[([^\]]*)\]" % const, f.read())
    return re.findall(r"'(--[a-z-]+)'", m.group(1))


def _asl_job(state):
    submit = ASL["States"][state]["Parameters"]["JobDriver"]["SparkSubmit"]
    return submit["EntryPoint"], submit["EntryPointArguments.$"]


def _asl_argv(expr, bucket="pv-bucket-dev"):
    """The argument list the state machine builds, with placeholders and paths given example values."""
    inner = expr[len("States.Array("):-1]
    values = {
        "$.window.date": "2026-11-19", "$.window.runId": "exec-1",
        "States.Format('{}', $.window.startMs)": "1763593200000", "States.Format('{}', $.window.endMs)": "1763679600000",
    }
    out = []
    for token in re.findall(r"States\.Format\('\{\}', [^)]*\)|'[^']*'|\$\.[\w.]+", inner):
        v = values.get(token, token.strip("'"))
        v = v.replace("${PlantTimeZone}", "Europe/Madrid").replace("${KafkaBootstrapServers}", "b-1.example:9098")
        v = v.replace("${KafkaTopic}", "pv-readings")
        v = re.sub(r"\$\{\w+Bucket\}", bucket, v)
        # any other placeholder (e.g. a model version in the model's folder) gets a plain value
        out.append(re.sub(r"\$\{(\w+)\}", lambda m: m.group(1).lower(), v))
    return out


def _argparse_flags(tree):
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "parse_args")
    flags = []
    for call in ast.walk(fn):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "add_argument":
            flags.append(call.args[0].value)
            assert any(k.arg == "required" and k.value.value is True for k in call.keywords), call.args[0].value
    return flags


@pytest.mark.parametrize("job,state,const", [("ingest_data.py", "IngestData", "INGEST_FLAGS"), ("predict_fault.py", "PredictFault", "PREDICT_FLAGS")])
def test_flags_are_the_state_machines_and_the_local_runners(job, state, const):
    entry, expr = _asl_job(state)
    assert entry == "s3://${BootstrapBucket}/spark/jobs/" + job
    asl_flags = [a for a in _asl_argv(expr) if a.startswith("--")]
    assert _argparse_flags(_source(job)) == _ts_flags(const) == asl_flags


@pytest.mark.parametrize("job,state", [("ingest_data.py", "IngestData"), ("predict_fault.py", "PredictFault")])
def test_the_state_machines_arguments_parse(job, state):
    args = _module(job).parse_args(_asl_argv(_asl_job(state)[1]))
    assert args.date == "2026-11-19" and args.run_id == "exec-1"
    assert tables.table_root(args.silver_uri) == "s3://pv-bucket-dev"
    if job == "ingest_data.py":
        # the registry Pulumi writes to the bootstrap bucket (infra/registryObject.ts), at the key both engines know
        assert args.registry_uri == "s3://pv-bucket-dev/" + registry.REGISTRY_KEY
    if job == "predict_fault.py":
        uris = _module(job).model_file_uris(args.model_uri)
        assert args.model_uri.startswith("s3://pv-bucket-dev/model/")
        assert uris["weights.bin"] == args.model_uri.rstrip("/") + "/weights.bin"
        assert set(uris) == set(os.listdir(os.path.join(REPO, "detector", "model", "artifacts"))) - {"evaluation.json"}


def test_kafka_options_read_exactly_the_window_over_msk_iam():
    mod = _module("ingest_data.py")
    args = mod.parse_args(_asl_argv(_asl_job("IngestData")[1]))
    opts = mod.kafka_source_options(args)
    lo, hi = ingest.kafka_window(1763593200000, 1763679600000)
    assert opts["kafka.bootstrap.servers"] == "b-1.example:9098"
    assert opts["subscribe"] == "pv-readings"
    assert (opts["startingTimestamp"], opts["endingTimestamp"]) == (str(lo), str(hi))
    assert opts["startingOffsetsByTimestampStrategy"] == "latest"
    assert opts["failOnDataLoss"] == "false"
    assert opts["kafka.security.protocol"] == "SASL_SSL" and opts["kafka.sasl.mechanism"] == "AWS_MSK_IAM"
    assert opts["kafka.sasl.jaas.config"] == "software.amazon.msk.auth.iam.IAMLoginModule required;"
    assert opts["kafka.sasl.client.callback.handler.class"] == "software.amazon.msk.auth.iam.IAMClientCallbackHandler"
    # offsets by position would override nothing but read the wrong records (the old jobs' bug)
    assert not {"startingOffsets", "endingOffsets", "assign", "subscribePattern"} & set(opts)
    assert all(isinstance(v, str) for v in opts.values())


def test_a_loopback_broker_is_read_in_plaintext_by_spark_config_and_nothing_else_is_accepted():
    mod = _module("ingest_data.py")
    args = mod.parse_args(_asl_argv(_asl_job("IngestData")[1]))
    iam, plain = mod.kafka_source_options(args), mod.kafka_source_options(args, "PLAINTEXT")
    assert plain["kafka.security.protocol"] == "PLAINTEXT" and not [k for k in plain if k.startswith("kafka.sasl.")]
    # the window, topic and brokers do not depend on the protocol
    assert {k: v for k, v in plain.items() if not k.startswith("kafka.s")} == {k: v for k, v in iam.items() if not k.startswith("kafka.s")}
    with pytest.raises(ValueError, match=r"spark\.pvfault\.kafka\.securityProtocol='SSL' is not one of PLAINTEXT, SASL_SSL"):
        mod.kafka_source_options(args, "SSL")


def test_the_kafka_read_is_a_batch_read_with_those_options():
    tree = _source("ingest_data.py")
    read = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "read_kafka")
    text = ast.unparse(read)
    assert "spark.read.format('kafka').options(**kafka_source_options(args, security_protocol)).load()" in text
    # the protocol is Spark config with MSK IAM as its default: EMR sets nothing
    assert "spark.conf.get(KAFKA_SECURITY_CONF, 'SASL_SSL')" in text
    assert "readStream" not in ast.unparse(tree)
    run = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "run")
    assert "read_kafka(spark, args)" in ast.unparse(run)
    assert "decoded_records(in_window)" in ast.unparse(run)
    # the decoding both Kafka jobs share (the daily ingest and the stream)
    assert "from_avro(F.col('value'), ingest.spark_reading_schema_json()" in _sparkio_function("decoded_records")


def _sparkio_function(name):
    with open(os.path.join(REPO, "spark", "pvfault", "sparkio.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    return ast.unparse(next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name))


def _written_tables(tree):
    """[(table, store variable)] of every write_table call, with the store's URI argument."""
    run = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "run")
    stores = {}
    for node in ast.walk(run):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", None) == "HadoopStore":
            root = node.value.args[1]
            assert ast.unparse(root).startswith("tables.table_root(args.")
            stores[node.targets[0].id] = ast.unparse(root.args[0])
    out = []
    for node in ast.walk(run):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "write_table":
            table = node.args[3].value
            assert [ast.unparse(a) for a in node.args[4:6]] == ["args.date", "args.run_id"]
            out.append((table, stores[node.args[1].id]))
    return sorted(out)


def test_tables_go_to_the_buckets_tables_json_names():
    assert _written_tables(_source("ingest_data.py")) == [("silver_device_day", "args.silver_uri"), ("silver_device_registry", "args.silver_uri"), ("silver_quarantine", "args.silver_uri")]
    assert _written_tables(_source("predict_fault.py")) == [("device_baseline", "args.gold_uri"), ("gold_daily", "args.gold_uri"), ("gold_plant_condition", "args.gold_uri"), ("gold_window", "args.gold_uri")]
    buckets = {t: spec["bucket"] for t, spec in contracts.TABLES_CONTRACT["tables"].items()}
    for job in ("ingest_data.py", "predict_fault.py"):
        for table, uri in _written_tables(_source(job)):
            assert uri == "args.%s_uri" % buckets[table]


def test_only_write_table_writes_and_it_stages_inside_the_runs_folder():
    for job in ("ingest_data.py", "predict_fault.py"):
        text = ast.unparse(_source(job))
        assert ".write" not in text and ".save(" not in text, job
    with open(os.path.join(REPO, "spark", "pvfault", "sparkio.py"), encoding="utf-8") as f:
        sparkio = ast.unparse(ast.parse(f.read()))
    assert "staging = tables.run_prefix(table, date, run_id) + STAGING" in sparkio
    assert "tables.publish(store, table, date, run_id, staged" in sparkio
    # the run folder is the contract's dataKey folder
    key = contracts.data_key("gold_window", "2026-11-19", "exec-1", 7)
    assert key == "window/date=2026-11-19/run=exec-1/part-00007.parquet"
    assert tables.run_prefix("gold_window", "2026-11-19", "exec-1") == "window/date=2026-11-19/run=exec-1/"


def test_predict_reads_silver_through_its_commit_marker():
    run = ast.unparse(next(n for n in _source("predict_fault.py").body if isinstance(n, ast.FunctionDef) and n.name == "run"))
    assert "silver_store.read_text(commit_key('silver_device_day', args.date))" in run
    assert "tables.read_marker(text, 'silver_device_day', args.date)" in run
    assert "applyInPandas(device_windows" in run and "groupBy('deviceId')" in run


def test_predict_judges_with_the_baseline_read_before_and_writes_the_days_after_gold():
    run = next(n for n in _source("predict_fault.py").body if isinstance(n, ast.FunctionDef) and n.name == "run")
    statements = [ast.unparse(st) for st in run.body]
    text = "\n".join(statements)
    assert "read_from, baseline_marker = latest_baseline(gold_store, args.date)" in text
    assert "gold.predict_device(record, model, reference(record['deviceId']))" in text
    assert "gold.daily_row(device_id, records, model_version, threshold_sets, reference(device_id), gate.value, raise_sets)" in text
    writes = [i for i, st in enumerate(statements) if "write_table(" in st]
    tables_written = [re.search(r"'(\w+)'", statements[i]).group(1) for i in writes]
    # a failed run leaves the next day the earlier baseline, never one without this day's verdicts
    assert tables_written == ["gold_window", "gold_daily", "gold_plant_condition", "device_baseline"]
    # the contract's tables only: the ratio carried beside the gold rows is dropped before writing
    assert "windows.drop(RATIO)" in statements[writes[0]] and "daily.drop(RATIO, STANDING)" in statements[writes[1]]
    assert "'baseline': {'readFrom': read_from, 'devicesWithHistory': with_history, 'written': len(baseline_rows), 'alarmsCarried': " in text


class _Store(object):
    def __init__(self):
        self.o = {}

    def read_text(self, key):
        return self.o.get(key)


def test_predict_decides_the_daily_rows_after_the_plant_gate_of_the_whole_day():
    run = next(n for n in _source("predict_fault.py").body if isinstance(n, ast.FunctionDef) and n.name == "run")
    statements = [ast.unparse(st) for st in run.body]

    def at(fragment):
        found = [i for i, st in enumerate(statements) if fragment in st]
        assert len(found) == 1, fragment
        return found[0]

    # the windows of every device are computed (persisted and counted) before the slots are aggregated
    # over them; the events are broadcast before the daily rows, which read them, are planned
    assert at("applyInPandas(device_windows") < at("window_count = windows.count()") < at("plant_slot_frame(windows, F).collect()")
    assert at("plant_slot_frame(windows, F).collect()") < at("plant_events = alarms.plant_events(") < at("gate = spark.sparkContext.broadcast(plant_events)")
    assert at("gate = spark.sparkContext.broadcast(plant_events)") < at("applyInPandas(device_summary")
    # the baseline reads the gated verdicts: the daily frame's
    assert "daily.select('deviceId', 'verdict', 'baselineDays', 'alarmOnsetMs', 'alarmRaisedMs', 'alarmSinceMs', RATIO, STANDING).collect()" in statements[at("day_rows = ")]
    assert "'plantEventWindows': sorted(plant_events)" in statements[at("summary = ")]


def test_the_plant_slot_aggregation_is_the_gates_rule():
    text = ast.unparse(next(n for n in _source("predict_fault.py").body if isinstance(n, ast.FunctionDef) and n.name == "plant_slot_frame"))
    assert "filter(F.col('status') == 'predicted')" in text and "groupBy('startMs')" in text
    assert "F.count(F.lit(1)).alias('devices')" in text
    assert "F.when(F.col('p_normal') < F.lit(below), 1).otherwise(0)).alias('offNormal')" in text
    assert "below = float(alarms.PLANT_GATE['normalBelow'])" in text


def test_predict_reads_the_newest_committed_baseline_before_the_day_within_max_age():
    job = _module("predict_fault.py")
    store = _Store()
    assert job.latest_baseline(store, "2026-07-01") == (None, None)

    def commit(day):
        store.o[contracts.commit_key("device_baseline", day)] = json.dumps(tables.commit_marker("device_baseline", day, "r-" + day, [], "2026-07-01T00:00:00.000Z"))

    commit("2026-06-01")  # 30 days before 2026-07-01: the oldest it may read
    assert job.latest_baseline(store, "2026-07-01")[0] == "2026-06-01"
    assert job.latest_baseline(store, "2026-07-02") == (None, None)  # 31 days: too old
    commit("2026-06-20")
    commit("2026-07-01")  # the day's own (a rerun): never read, so the rerun judges as the first run did
    day, marker = job.latest_baseline(store, "2026-07-01")
    assert day == "2026-06-20" and marker["runId"] == "r-2026-06-20"


def test_predict_builds_two_days_of_baselines_from_its_summaries():
    """The job's driver side over two days: the second judged with the first's gains (own set)."""
    job = _module("predict_fault.py")
    nan = float("nan")
    day1 = [{"deviceId": "PV-%d" % i, "verdict": "normal", "baselineDays": 0, "dayRatio": 0.009 * (1 + i / 50)} for i in range(5)]
    day1 += [{"deviceId": "PV-5", "verdict": "arc_fault", "baselineDays": 0, "dayRatio": 0.0091, "dayAlarmStanding": 1.4,
              "alarmSinceMs": 1782890400000},
             {"deviceId": "PV-6", "verdict": "normal", "baselineDays": 0, "dayRatio": nan}]  # too few bright windows: null, as pandas sees it
    rows1, history1 = job.baseline_of_day({}, day1, "2026-07-01")
    assert history1 == 0 and [r["deviceId"] for r in rows1] == ["PV-%d" % i for i in range(7)]
    by_id = {r["deviceId"]: r for r in rows1}
    assert by_id["PV-5"]["gain"] is None and by_id["PV-6"]["gain"] is None and by_id["PV-6"]["dayRatio"] is None
    # six ratios (the alarmed device's counts for the fleet): the mean of the middle two
    fleet = (0.009 * 1.02 + 0.009 * 1.04) / 2
    assert all(r["fleetRatio"] == pytest.approx(fleet, rel=1e-12) for r in rows1)
    # the next day: references from the stored rows, as the broadcast carries them
    refs = {d: baseline.reference_of(r) for d, r in by_id.items()}
    assert refs["PV-0"].days == 1 and refs["PV-0"].gain == pytest.approx(0.009 / fleet, rel=1e-6) and refs["PV-5"] == baseline.NO_HISTORY
    # the arc fault's alarm is carried into the next day, as the job's broadcast reads it (alarms.carry); not into a later one
    carried = {d: baseline.reference_of(r, baseline_date="2026-07-01", date="2026-07-02") for d, r in by_id.items()}
    assert carried["PV-5"].carried == "arc_fault" and {d for d, r in carried.items() if r.carried} == {"PV-5"}
    # with since when it is open, which the next day's alarm keeps if it continues it
    assert by_id["PV-5"]["dayAlarmSinceMs"] == 1782890400000 and carried["PV-5"].carried_since == 1782890400000
    assert by_id["PV-0"]["dayAlarmSinceMs"] is None and carried["PV-0"].carried_since is None
    assert baseline.reference_of(by_id["PV-5"], baseline_date="2026-07-01", date="2026-07-03").carried is None
    sets = {"own": {"x": 1}, "fleet": {"x": 2}}
    assert thresholds_for(sets, refs["PV-0"].days) is sets["own"] and thresholds_for(sets, refs["PV-5"].days) is sets["fleet"]
    day2 = [{"deviceId": d, "verdict": "normal", "baselineDays": refs[d].days, "dayRatio": by_id[d]["dayRatio"] and 0.0092} for d in ("PV-0", "PV-1", "PV-5")]
    rows2, history2 = job.baseline_of_day(by_id, day2, "2026-07-02")
    assert history2 == 2
    by_id2 = {r["deviceId"]: r for r in rows2}
    assert len(by_id2["PV-0"]["ratios"]) == 2 and by_id2["PV-0"]["lastHealthyDate"] == "2026-07-02"
    assert len(by_id2["PV-5"]["ratios"]) == 1 and by_id2["PV-5"]["gain"] == pytest.approx(1.0)
    # absent devices are carried with no verdict
    assert by_id2["PV-3"]["ratios"] == by_id["PV-3"]["ratios"] and by_id2["PV-3"]["dayVerdict"] is None


def test_ingest_makes_one_silver_row_per_device_from_every_partitions_records():
    # a reading published under another device's key lands in another Kafka partition, set
    # aside but counted for the device it names: the rows are grouped by deviceId alone, over
    # the records that count in a row (inRow: never a bad id, never an adjacent day's reading)
    # (test/local/ingest.test.ts holds the local ingest to this, on such records)
    run = ast.unparse(next(n for n in _source("ingest_data.py").body if isinstance(n, ast.FunctionDef) and n.name == "run"))
    assert "validated.where(F.col('inRow')).groupBy('deviceId').applyInPandas(device_day" in run
    assert "ingest.silver_row_of_device(frame['deviceId'].iloc[0], frame, start_ms, end_ms)" in run


def test_ingest_places_readings_by_publish_time_and_accounts_for_every_record_before_publishing():
    run = ast.unparse(next(n for n in _source("ingest_data.py").body if isinstance(n, ast.FunctionDef) and n.name == "run"))
    assert "F.expr('unix_millis(timestamp)').alias('publishMs')" in _sparkio_function("decoded_records")
    assert "ingest.validate_records(frame, days)" in run and "days = ingest.run_days(args.date, args.time_zone)" in run
    assert "validated.groupBy('reason', 'inRow').count()" in run
    # run_totals raises on a record unaccounted for: it must run before the first table is written
    assert run.index("ingest.run_totals(verdicts, totals)") < run.index("write_table(")


def test_ingest_refuses_a_day_without_valid_readings_before_writing_anything():
    # the rule is pvfault.ingest.refuse_empty_day (tables.json emptyDay), tested on its own in test_ingest.py
    run = next(n for n in _source("ingest_data.py").body if isinstance(n, ast.FunctionDef) and n.name == "run")
    statements = [ast.unparse(s) for s in run.body]
    refuse = next(i for i, s in enumerate(statements) if "ingest.refuse_empty_day(args.date, records_read," in s)
    assert "counts['observed'] + counts['duplicates']" in statements[refuse]
    assert statements[refuse + 1] == "if refusal:\n    raise RuntimeError(refusal)"
    first_write = next(i for i, s in enumerate(statements) if "write_table(" in s)
    assert refuse < first_write
    assert statements.index(next(s for s in statements if s.startswith("totals = ") and "silver.agg(" in s)) < refuse


def test_jobs_keep_to_python_39_syntax():
    for name in os.listdir(JOBS) + ["../pvfault/" + n for n in os.listdir(os.path.join(JOBS, "..", "pvfault")) if n.endswith(".py")]:
        if name.endswith(".py"):
            with open(os.path.join(JOBS, name), encoding="utf-8") as f:
                tree = ast.parse(f.read(), feature_version=(3, 9))
            annotations = [n.annotation for n in ast.walk(tree) if isinstance(n, (ast.arg, ast.AnnAssign)) and n.annotation is not None]
            annotations += [n.returns for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.returns is not None]
            # X | Y in an annotation parses under 3.9 but fails there when evaluated
            assert not [a for a in annotations for b in ast.walk(a) if isinstance(b, ast.BinOp) and isinstance(b.op, ast.BitOr)], name


class _DictStore:
    """read_text and read_bytes_uri over a dict, as pvfault.sparkio.HadoopStore answers them."""

    def __init__(self, objects):
        self.objects = objects

    def read_text(self, key):
        return self.objects.get(key)

    def read_bytes_uri(self, uri):
        text = self.objects.get(uri)
        return None if text is None else text.encode("utf-8")


def test_the_ingest_refuses_a_missing_or_bad_registry_before_reading_the_topic():
    mod = _module("ingest_data.py")
    uri = "s3://pv-bootstrap-dev/" + registry.REGISTRY_KEY
    with pytest.raises(RuntimeError) as err:
        mod.registry.read_registry(_DictStore({}), uri)
    assert str(err.value) == registry.missing_registry(uri)
    assert str(err.value).startswith("no device registry at s3://pv-bootstrap-dev/registry/device_registry.json: ")
    with pytest.raises(registry.RegistryError, match=r"devices\[0\]\.strings must be a positive integer, got 0"):
        mod.registry.read_registry(_DictStore({uri: json.dumps({"devices": [{"deviceId": "PV-1", "design": "d", "modulesPerString": 5, "strings": 0, "module": "m",
                                                                 "technology": "t", "modulePmpStcW": 220, "arrayPmpStcW": 3300}]})}), uri)
    rows = mod.registry.read_registry(_DictStore({uri: json.dumps({"devices": []})}), uri)
    assert rows == []


def test_predict_reads_the_registry_of_its_silver_run_only():
    mod = _module("predict_fault.py")
    date = "2026-11-19"

    def marker(table, run_id):
        return {"table": table, "date": date, "runId": run_id, "files": [], "rows": 0, "committedAt": "t",
                "contractVersion": contracts.TABLES_CONTRACT["version"]}

    silver = marker("silver_device_day", "run-b")
    key = contracts.commit_key("silver_device_registry", date)
    # a day ingested before the registry existed: none, every device the default design
    assert mod.registry_marker(_DictStore({}), silver, date) is None
    assert mod.registry_marker(_DictStore({key: json.dumps(marker("silver_device_registry", "run-b"))}), silver, date)["runId"] == "run-b"
    with pytest.raises(RuntimeError, match="the 2026-11-19 device registry is of ingest run run-a, its silver of run run-b: rerun the day's ingest"):
        mod.registry_marker(_DictStore({key: json.dumps(marker("silver_device_registry", "run-a"))}), silver, date)
