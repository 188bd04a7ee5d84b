"""EMR Serverless job: one plant-local day of SCADA readings, Kafka -> silver.

Arguments are the state machine's (statemachine/daily.asl.json, IngestData), the same as
local/jobs/ingest.ts takes (local/jobs/args.ts INGEST_FLAGS). Reads the topic for the
day's window by Kafka timestamps, over IAM-authenticated SASL_SSL; decodes with the
shared Avro schema; sets invalid readings, and valid ones that no day's run takes
(too_late, other_day), aside with their reason (silver quarantine); builds one cleaned
20-s grid row per valid device id (silver device_day); publishes both by the commit
protocol, so readers never see a half-written day, once every record read is
accounted for (pvfault.ingest.run_totals). The plant's device registry (--registry-uri,
checked by pvfault.registry) is published with the day as silver_device_registry, before
the device-days, so that the predict job of the day names each array's design from the
registry the day's run read.

The transformations are pvfault functions with tests; this file wires them into Spark.
pyspark is imported inside run() so that tests can import this module and check its
arguments and Kafka options without Spark.
"""
import argparse
import sys

from pvfault import ingest, registry, tables
from pvfault.kafka import KAFKA_SECURITY, KAFKA_SECURITY_CONF, security_options  # noqa: F401 (KAFKA_SECURITY: the tests read it here)
from pvfault.plantday import check_window

MIN_KAFKA_SPLITS = 48
"""Spark tasks the Kafka read is split into at least: validation runs in them, before any shuffle."""


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="ingest_data.py", description="Kafka -> silver for one plant-local day")
    p.add_argument("--date", required=True, help="plant-local day, YYYY-MM-DD")
    p.add_argument("--start-ms", required=True, type=int, help="the day's start, epoch ms (plant-local midnight)")
    p.add_argument("--end-ms", required=True, type=int, help="the day's end, epoch ms, exclusive")
    p.add_argument("--run-id", required=True, help="names this run's output folders (run=<runId>)")
    p.add_argument("--time-zone", required=True, help="the plant's IANA time zone; checked against the window")
    p.add_argument("--bootstrap-servers", required=True, help="MSK bootstrap brokers (IAM listener, port 9098)")
    p.add_argument("--topic", required=True, help="the readings topic")
    p.add_argument("--silver-uri", required=True, help="s3://<silver bucket>")
    p.add_argument("--registry-uri", required=True, help="s3://<bootstrap bucket>/registry/device_registry.json: the plant's device registry")
    return p.parse_args(argv)


def kafka_source_options(args, security_protocol="SASL_SSL"):
    """Options of Spark's Kafka source: exactly the day's window, MSK IAM over TLS unless told otherwise."""
    security = security_options(security_protocol)
    start, end = ingest.kafka_window(args.start_ms, args.end_ms)
    return dict({
        "kafka.bootstrap.servers": args.bootstrap_servers,
        "subscribe": args.topic,
        # offsets of the first record at or after each timestamp, per partition (batch query)
        "startingTimestamp": str(start),
        "endingTimestamp": str(end),
        # a partition with nothing since the start reads nothing instead of failing the job
        "startingOffsetsByTimestampStrategy": "latest",
        # a day partly past the topic's retention still loads what is left; one with nothing valid left is refused (ingest.refuse_empty_day)
        "failOnDataLoss": "false",
        "minPartitions": str(MIN_KAFKA_SPLITS),
    }, **security)


def read_kafka(spark, args):
    security_protocol = spark.conf.get(KAFKA_SECURITY_CONF, "SASL_SSL")
    return spark.read.format("kafka").options(**kafka_source_options(args, security_protocol)).load()


def run(spark, args, records=None):
    """The day from `records` (a DataFrame shaped like Spark's Kafka source; Kafka itself when None)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from pvfault.sparkio import HadoopStore, decoded_records, nan_for_null, struct_type, write_table

    check_window(args.date, args.start_ms, args.end_ms, args.time_zone)
    store = HadoopStore(spark, tables.table_root(args.silver_uri))
    # checked before the topic is read: a bad registry fails the run at once, naming the row
    registry_rows = registry.read_registry(store, args.registry_uri)
    if records is None:
        records = read_kafka(spark, args)
    days = ingest.run_days(args.date, args.time_zone)
    start, end = days["day"]["fromMs"], days["day"]["toMs"]
    # the offsets found by timestamp bound the read (the run's contract, docs/operations.md: the
    # local ingest stops at the same record); producer timestamps need not grow with offsets,
    # so the window is applied to each record within them as well, as the local ingest does
    in_window = records.where(F.expr("unix_millis(timestamp) >= %d AND unix_millis(timestamp) < %d" % (start, end)))
    decoded = decoded_records(in_window)

    def validate(batches):
        for frame in batches:
            yield ingest.validate_records(frame, days)

    validated = decoded.mapInPandas(validate, struct_type(ingest.validated_spark_schema())).persist(StorageLevel.MEMORY_AND_DISK)
    verdicts = {(row["reason"], row["inRow"]): row["count"] for row in validated.groupBy("reason", "inRow").count().collect()}
    records_read = sum(verdicts.values())

    quarantine_columns = [c["name"] for c in tables.table_columns("silver_quarantine")]
    quarantine = validated.where(F.col("reason") != "").select(*quarantine_columns)

    start_ms, end_ms = args.start_ms, args.end_ms

    def device_day(frame):
        row = ingest.silver_row_of_device(frame["deviceId"].iloc[0], frame, start_ms, end_ms)
        return tables.to_frame("silver_device_day", [row])

    silver = nan_for_null(
        validated.where(F.col("inRow"))
        .groupBy("deviceId")
        .applyInPandas(device_day, struct_type(tables.spark_schema("silver_device_day", arrow_input=True))),
        "silver_device_day",
    ).persist(StorageLevel.MEMORY_AND_DISK)
    devices = silver.count()
    # before anything is published: a record read that is in none of silver, quarantine, adjacent days fails the run
    totals = {k: int(v or 0) for k, v in silver.agg(*[F.sum(c).alias(c) for c in ("duplicates", "observed", "filled", "missing")]).collect()[0].asDict().items()}
    counts = ingest.run_totals(verdicts, totals)
    # and a day without valid readings is never committed
    refusal = ingest.refuse_empty_day(args.date, records_read, sum(counts["quarantined"].values()), counts["observed"] + counts["duplicates"])
    if refusal:
        raise RuntimeError(refusal)

    # quarantine and the registry first: the device_day marker is the day's "done" signal for the predict job
    q_marker = write_table(spark, store, quarantine, "silver_quarantine", args.date, args.run_id, sum(counts["quarantined"].values()))
    registry_columns = [c["name"] for c in tables.table_columns("silver_device_registry")]
    registry_df = spark.createDataFrame([tuple(r[c] for c in registry_columns) for r in registry_rows],
                                        struct_type(tables.spark_schema("silver_device_registry")))
    r_marker = write_table(spark, store, registry_df, "silver_device_registry", args.date, args.run_id, len(registry_rows))
    s_marker = write_table(spark, store, silver, "silver_device_day", args.date, args.run_id, devices)
    summary = dict(
        {"job": "ingest_data", "date": args.date, "runId": args.run_id, "devices": devices}, **counts,
        registryDevices=len(registry_rows),
        files={"silver_device_day": len(s_marker["files"]), "silver_quarantine": len(q_marker["files"]), "silver_device_registry": len(r_marker["files"])},
    )
    validated.unpersist()
    silver.unpersist()
    return summary


def main(argv=None):
    from pvfault.sparkio import run_job

    run_job("ingest", parse_args, run, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
