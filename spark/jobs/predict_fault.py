"""EMR Serverless job: one day's silver -> CWT -> LeNet-5 -> gold.

Arguments are the state machine's (statemachine/daily.asl.json, PredictFault), the same
as local/jobs/predict.ts takes (local/jobs/args.ts PREDICT_FLAGS). Reads the silver day
through its commit marker, turns each device-day into windows (gap fill, pywt CWT, skip
reasons, normalisation) and class probabilities (numpy LeNet-5 from the tfjs weights in
--model-uri), and publishes the gold window and daily tables by the commit protocol.

Each device is judged against its own baseline (pvfault.baseline, contracts/detector.json
baseline): the newest committed device_baseline partition among the maxAgeDays days
before --date, as local/jobs/predict.ts reads it. Its gains and days go to the tasks as a
broadcast (two numbers a device); each device-day's ratio comes back beside its gold rows,
and the driver computes the fleet's median and the day's baseline table, published after
gold_window and gold_daily (a failed run leaves the next day the earlier baseline, never
one without this day's verdicts).

The plant gate (contracts/detector.json alarms.plantGate) needs the whole plant-day: once
every device's window probabilities are computed, a Spark aggregation over the window rows
(group by window start: the devices that predicted it, those with p_normal < normalBelow;
at most ~72 slots a day) is collected to the driver, which finds the plant events
(pvfault.alarms.plant_events) and broadcasts them; each device's daily row is decided with
them (pvfault.gold.daily_row, as detector/gold.ts gatedDaily), and the baseline reads those
gated verdicts.

One device-day is one applyInPandas group: memory per task is bounded by a day of one
device (~4.4 MB of scalograms), whatever the fleet size; the driver holds a baseline
row per device (a few numbers each, as the embedded job does). pyspark is imported inside
run() so that tests can import this module without Spark.
"""
import argparse
import math
import sys

from pvfault import alarms, baseline, gold, plant_conditions, registry, tables
from pvfault.gold import MEAN_COLUMNS
from pvfault.contracts import commit_key
from pvfault.model import ARTIFACT_FILES, Lenet, cached_model
from pvfault.windows import PER_UNIT_COLUMNS, per_unit_of

RATIO = "dayRatio"
"""The device-day's ratio r (before the gain), carried beside the gold rows to the driver; not a column of either gold table."""
RATIO_FIELD = {"name": RATIO, "type": "double", "nullable": True, "metadata": {}}
STANDING = "dayAlarmStanding"
"""how the day's alarm stood at its end (pvfault.gold.day_standing), carried beside each daily row to the driver's baseline, NaN without an alarm"""
STANDING_FIELD = {"name": STANDING, "type": "double", "nullable": True, "metadata": {}}


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="predict_fault.py", description="silver -> gold for one plant-local day")
    p.add_argument("--date", required=True, help="plant-local day, YYYY-MM-DD")
    p.add_argument("--run-id", required=True, help="names this run's output folders (run=<runId>)")
    p.add_argument("--time-zone", required=True, help="the plant's IANA time zone (logged; the silver rows carry their window)")
    p.add_argument("--silver-uri", required=True, help="s3://<silver bucket>")
    p.add_argument("--gold-uri", required=True, help="s3://<gold bucket>")
    p.add_argument("--model-uri", required=True, help="folder holding model.json, weights.bin, normalization.json")
    return p.parse_args(argv)


def model_file_uris(model_uri):
    return {name: model_uri.rstrip("/") + "/" + name for name in ARTIFACT_FILES}


latest_baseline = baseline.latest_baseline
"""The baseline partition the day is judged against (pvfault.baseline.latest_baseline; the streaming job reads the same)."""


def registry_marker(store, silver_marker, date):
    """The commit marker of the day's device registry, or None for a day ingested before the registry
    existed (every device is then the default design). A registry of another ingest run than silver's
    (a rerun that failed between its two commits) is refused, as local/jobs/predict.ts readRegistry does."""
    text = store.read_text(commit_key("silver_device_registry", date))
    if text is None:
        return None
    marker = tables.read_marker(text, "silver_device_registry", date)
    if marker["runId"] != silver_marker["runId"]:
        raise RuntimeError("the %s device registry is of ingest run %s, its silver of run %s: rerun the day's ingest"
                           % (date, marker["runId"], silver_marker["runId"]))
    return marker


def plant_slot_frame(windows, F):
    """The plant-day's window slots from its gold window rows (a DataFrame): startMs, devices
    (that predicted the window), offNormal (those with p_normal below the gate's
    normalBelow), measured (those whose window means are all known) and the sums of their
    means, one row a slot: detector/alarms.ts PlantSlots over the same rows
    (test/engines/plantGateSpark.test.ts holds the two equal)."""
    below = float(alarms.PLANT_GATE["normalBelow"])
    known = None
    for key, _ in MEAN_COLUMNS:
        ok = F.col(key).isNotNull() & ~F.isnan(F.col(key))
        known = ok if known is None else known & ok
    return (windows.filter(F.col("status") == "predicted")
            .groupBy("startMs")
            .agg(F.count(F.lit(1)).alias("devices"),
                 F.sum(F.when(F.col("p_normal") < F.lit(below), 1).otherwise(0)).alias("offNormal"),
                 F.sum(F.when(known, 1).otherwise(0)).alias("measured"),
                 *[F.sum(F.when(known, F.col(key)).otherwise(F.lit(0.0))).alias(key) for key, _ in MEAN_COLUMNS]))


def _ratio(value):
    # a null double reaches pandas as NaN
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def baseline_of_day(previous, daily, date):
    """The day's device_baseline rows and the summary's counts, from the baseline read and
    the day's summaries (dicts with deviceId, verdict, baselineDays, alarmSinceMs, alarmOnsetMs, alarmRaisedMs,
    dayRatio and dayAlarmStanding)."""
    today = {d["deviceId"]: (_ratio(d[RATIO]), d["verdict"], _ratio(d.get(STANDING)), d.get("alarmSinceMs"),
                             d.get("alarmOnsetMs"), d.get("alarmRaisedMs")) for d in daily}
    rows = baseline.next_baseline(previous, today, date)
    return rows, sum(1 for d in daily if d["baselineDays"] > 0)


def run(spark, args):
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from pvfault.sparkio import HadoopStore, struct_type, write_table

    silver_store = HadoopStore(spark, tables.table_root(args.silver_uri))
    gold_store = HadoopStore(spark, tables.table_root(args.gold_uri))

    text = silver_store.read_text(commit_key("silver_device_day", args.date))
    if text is None:
        raise RuntimeError("no silver for %s: run the ingest first" % args.date)
    marker = tables.read_marker(text, "silver_device_day", args.date)
    silver_schema = struct_type(tables.spark_schema("silver_device_day"))
    paths = [silver_store.uri(f["key"]) for f in marker["files"]]
    silver = spark.read.schema(silver_schema).parquet(*paths) if paths else spark.createDataFrame([], silver_schema)

    artifacts = {}
    for name, uri in model_file_uris(args.model_uri).items():
        data = silver_store.read_bytes_uri(uri)
        if data is None:
            raise RuntimeError("model file %s is missing" % uri)
        artifacts[name] = data
    loaded = Lenet.from_bytes(*(artifacts[n] for n in ARTIFACT_FILES))  # fails here, not in 10k tasks
    model_version, threshold_sets, raise_sets = loaded.model_version, loaded.alarm_thresholds, loaded.raise_thresholds
    shared = spark.sparkContext.broadcast(artifacts)

    # deviceId -> design and what the model's per-unit inputs divide by, one small row per device, to every task
    day_registry = {}
    reg_marker = registry_marker(silver_store, marker, args.date)
    if reg_marker and reg_marker["files"]:
        reg_schema = struct_type(tables.spark_schema("silver_device_registry"))
        for r in spark.read.schema(reg_schema).parquet(*[silver_store.uri(f["key"]) for f in reg_marker["files"]]).select("deviceId", "design", *PER_UNIT_COLUMNS).collect():
            day_registry[r["deviceId"]] = r.asDict()
    designs = spark.sparkContext.broadcast(day_registry)

    read_from, baseline_marker = latest_baseline(gold_store, args.date)
    previous = {}
    if baseline_marker and baseline_marker["files"]:
        baseline_schema = struct_type(tables.spark_schema("device_baseline"))
        for r in spark.read.schema(baseline_schema).parquet(*[gold_store.uri(f["key"]) for f in baseline_marker["files"]]).collect():
            previous[r["deviceId"]] = r.asDict()
    references = spark.sparkContext.broadcast({d: tuple(baseline.reference_of(r, baseline_date=read_from, date=args.date)) for d, r in previous.items()})

    def reference(device_id):
        # the baseline's gain and days, with the device's design from the day's registry (the default design without a row)
        ref = references.value.get(device_id)
        per_unit = per_unit_of(designs.value.get(device_id))
        return baseline.judged_as(ref, per_unit)

    def device_windows(frame):
        model = cached_model(shared.value)
        rows, ratios = [], []
        for record in frame.to_dict("records"):
            device_rows, ratio = gold.predict_device(record, model, reference(record["deviceId"]))
            rows.extend(device_rows)
            ratios.extend([ratio] * len(device_rows))
        out = tables.to_frame("gold_window", rows)
        out[RATIO] = [float("nan") if r is None else r for r in ratios]
        return out

    def device_summary(frame):
        records = frame.to_dict("records")
        device_id = records[0]["deviceId"]
        # the detector's summary, and the design the day's registry gives the device (or the default, said to be)
        row = dict(gold.daily_row(device_id, records, model_version, threshold_sets, reference(device_id), gate.value, raise_sets), **registry.design_of(designs.value, device_id))
        out = tables.to_frame("gold_daily", [row])
        ratio = _ratio(records[0][RATIO])
        out[RATIO] = [float("nan") if ratio is None else ratio]
        standing = gold.day_standing(records, row["verdict"], threshold_sets, reference(device_id), gate.value)
        out[STANDING] = [float("nan") if standing is None else standing]
        return out

    def with_ratio(table, *extra):
        schema = tables.spark_schema(table)
        return struct_type(dict(schema, fields=schema["fields"] + [RATIO_FIELD, *extra]))

    windows = (silver.groupBy("deviceId")
               .applyInPandas(device_windows, with_ratio("gold_window"))
               .persist(StorageLevel.MEMORY_AND_DISK))
    window_count = windows.count()
    # the plant gate, once every device's windows are known: one row a window slot to the
    # driver, the plant events back to the tasks deciding the daily rows
    slot_rows = plant_slot_frame(windows, F).collect()
    plant_events = alarms.plant_events([(r["startMs"], r["devices"], r["offNormal"]) for r in slot_rows])
    # what the events were, by the plant's readings (a few runs a day, on the driver)
    conditions = plant_conditions.plant_conditions(
        {int(r["startMs"]): {"devices": int(r["devices"]), "offNormal": int(r["offNormal"]), "measured": int(r["measured"]),
                             "sums": [float(r[key]) for key, _ in MEAN_COLUMNS]} for r in slot_rows},
        plant_events)
    gate = spark.sparkContext.broadcast(plant_events)
    daily = (windows.groupBy("deviceId")
             .applyInPandas(device_summary, with_ratio("gold_daily", STANDING_FIELD))
             .persist(StorageLevel.MEMORY_AND_DISK))
    devices = daily.count()

    write_table(spark, gold_store, windows.drop(RATIO), "gold_window", args.date, args.run_id, window_count, input_run_id=marker["runId"])
    write_table(spark, gold_store, daily.drop(RATIO, STANDING), "gold_daily", args.date, args.run_id, devices, input_run_id=marker["runId"])
    condition_schema = struct_type(tables.spark_schema("gold_plant_condition"))
    condition_columns = [f["name"] for f in tables.spark_schema("gold_plant_condition")["fields"]]
    condition_df = spark.createDataFrame([tuple(dict(c, modelVersion=model_version)[k] for k in condition_columns) for c in conditions], condition_schema)
    write_table(spark, gold_store, condition_df, "gold_plant_condition", args.date, args.run_id, len(conditions), input_run_id=marker["runId"])

    # last: the day's baseline, from every device's ratio and verdict (one small row each, on the driver)
    day_rows = [r.asDict() for r in daily.select("deviceId", "verdict", "baselineDays", "alarmOnsetMs", "alarmRaisedMs", "alarmSinceMs", RATIO, STANDING).collect()]
    baseline_rows, with_history = baseline_of_day(previous, day_rows, args.date)
    columns = [c["name"] for c in tables.spark_schema("device_baseline")["fields"]]
    baseline_df = spark.createDataFrame([tuple(r[c] for c in columns) for r in baseline_rows],
                                        struct_type(tables.spark_schema("device_baseline")))
    write_table(spark, gold_store, baseline_df, "device_baseline", args.date, args.run_id, len(baseline_rows), input_run_id=marker["runId"])

    verdicts = {(r["verdict"] or "none"): r["count"] for r in daily.groupBy("verdict").count().collect()}
    predicted = daily.agg(F.sum("predicted").alias("n")).collect()[0]["n"] or 0
    defaulted = daily.where(F.col("designSource") == "default").count()
    # the references of the day's devices with a baseline row: what they carried in and re-armed
    day_refs = [baseline.Reference(*references.value[d["deviceId"]]) for d in day_rows if d["deviceId"] in references.value]
    summary = {
        "job": "predict_fault", "date": args.date, "runId": args.run_id, "timeZone": args.time_zone,
        "silverRunId": marker["runId"], "modelVersion": model_version, "devices": devices,
        "windows": window_count, "predicted": int(predicted), "verdicts": dict(sorted(verdicts.items())),
        # as local/jobs/predict.ts PredictResult.baseline: the day read (None: no history within
        # maxAgeDays), the devices judged against their own baseline, the rows written
        # as local/jobs/predict.ts PredictResult.registry: the day's registry rows, the devices judged as the default for want of one
        "registry": {"devices": len(day_registry), "defaulted": defaulted},
        "baseline": {"readFrom": read_from, "devicesWithHistory": with_history, "written": len(baseline_rows),
                     "alarmsCarried": sum(1 for r in day_refs if r.carried is not None),
                     "alarmsRecurring": sum(1 for r in day_refs if r.recurring is not None),
                     # as local/jobs/predict.ts: the day's alarms that continue the one carried in (open since an earlier day)
                     "alarmsContinued": sum(1 for d in day_rows if alarms.is_alarm_label(d["verdict"]) and d["alarmSinceMs"] != d["alarmOnsetMs"])},
        # as local/jobs/predict.ts PredictResult.plantEventWindows: the starts the plant gate set aside
        "plantEventWindows": sorted(plant_events),
        # as local/jobs/predict.ts PredictResult.plantConditions: what they were (gold_plant_condition)
        "plantConditions": conditions,
    }
    windows.unpersist()
    daily.unpersist()
    return summary


def main(argv=None):
    from pvfault.sparkio import run_job

    run_job("predict", parse_args, run, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
