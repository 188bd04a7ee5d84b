"""EMR Serverless job: one day's silver -> CWT -> LeNet-5 -> gold.

Arguments are the state machine's (statemachine/daily.asl.json, PredictFault), the same
as local/jobs/predict.ts takes (local/jobs/args.ts PREDICT_FLAGS). Reads the silver day
through its commit marker, turns each device-day into windows (gap fill, pywt CWT, skip
reasons, normalisation) and class probabilities (numpy LeNet-5 from the tfjs weights in
--model-uri), and publishes the gold window and daily tables by the commit protocol.

One device-day is one applyInPandas group: memory per task is bounded by a day of one
device (~4.4 MB of scalograms), whatever the fleet size. pyspark is imported inside
run() so that tests can import this module without Spark.
"""
import argparse
import sys

from pvfault import gold, tables
from pvfault.contracts import commit_key
from pvfault.model import ARTIFACT_FILES, Lenet, cached_model


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
    model_version, thresholds = loaded.model_version, loaded.alarm_thresholds
    shared = spark.sparkContext.broadcast(artifacts)

    def device_windows(frame):
        model = cached_model(shared.value)
        rows = []
        for record in frame.to_dict("records"):
            rows.extend(gold.predict_device(record, model))
        return tables.to_frame("gold_window", rows)

    def device_summary(frame):
        records = frame.to_dict("records")
        return tables.to_frame("gold_daily", [gold.daily_row(records[0]["deviceId"], records, model_version, thresholds)])

    windows = (silver.groupBy("deviceId")
               .applyInPandas(device_windows, struct_type(tables.spark_schema("gold_window")))
               .persist(StorageLevel.MEMORY_AND_DISK))
    daily = (windows.groupBy("deviceId")
             .applyInPandas(device_summary, struct_type(tables.spark_schema("gold_daily")))
             .persist(StorageLevel.MEMORY_AND_DISK))
    window_count = windows.count()
    devices = daily.count()

    write_table(spark, gold_store, windows, "gold_window", args.date, args.run_id, window_count, input_run_id=marker["runId"])
    write_table(spark, gold_store, daily, "gold_daily", args.date, args.run_id, devices, input_run_id=marker["runId"])

    verdicts = {(r["verdict"] or "none"): r["count"] for r in daily.groupBy("verdict").count().collect()}
    predicted = daily.agg(F.sum("predicted").alias("n")).collect()[0]["n"] or 0
    summary = {
        "job": "predict_fault", "date": args.date, "runId": args.run_id, "timeZone": args.time_zone,
        "silverRunId": marker["runId"], "modelVersion": model_version, "devices": devices,
        "windows": window_count, "predicted": int(predicted), "verdicts": dict(sorted(verdicts.items())),
    }
    windows.unpersist()
    daily.unpersist()
    return summary


def main(argv=None):
    from pvfault.sparkio import run_job

    run_job("predict", parse_args, run, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
