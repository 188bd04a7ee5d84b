"""Developer run of both Spark jobs on a simulated day, with local[*] and no Kafka.

    npm run simulate -- --devices 50 --date 2026-11-19 --out out/sim-2026-11-19
    PYTHONPATH=spark PYSPARK_PYTHON=.venv-spark/bin/python .venv-spark/bin/spark-submit \\
      --master 'local[2]' --jars "$(spark/dev/jars.sh)" \\
      spark/dev/local_day.py --simulated out/sim-2026-11-19 --out out/spark-local

Not a production entry point and not run in CI (CI runs the jobs on a real broker instead:
test/engines/realEngines.test.ts).
It turns the simulator's readings.avro into a DataFrame shaped like Spark's Kafka source
(key, value = raw Avro of the reading, partition, offset, timestamp) and hands it to
ingest_data.run — the production code path after the Kafka read — then runs
predict_fault.run on the silver it wrote. Silver and gold go to local folders with the
same keys and commit markers as in S3.

Approximations of the Kafka topic: the publish time is taken as the measurement time,
partitions come from Spark's hash of the device id (not Kafka's murmur2), and offsets
follow the file's order, which is each device's publish order.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "spark", "jobs"))
sys.path.insert(0, os.path.join(REPO, "spark"))

import ingest_data  # noqa: E402
import predict_fault  # noqa: E402
from pvfault import ingest  # noqa: E402

PARTITIONS = 12


def kafka_shaped(spark, readings_avro):
    from pyspark.sql import functions as F
    from pyspark.sql.avro.functions import to_avro

    readings = spark.read.format("avro").load(readings_avro)
    # the container file's timestamp-millis arrives as a Spark timestamp: back to epoch ms
    ts = F.expr("unix_millis(timestamp)")
    value = to_avro(F.struct(F.col("deviceId"), ts.alias("timestamp"), "voltage", "current", "temperature", "irradiance"),
                    ingest.spark_reading_schema_json())
    return readings.select(
        F.col("deviceId").cast("binary").alias("key"),
        value.alias("value"),
        F.pmod(F.hash("deviceId"), F.lit(PARTITIONS)).alias("partition"),
        F.monotonically_increasing_id().alias("offset"),
        F.col("timestamp").alias("timestamp"),
    )


def main(argv=None):
    from pyspark.sql import SparkSession

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--simulated", required=True, help="folder written by npm run simulate (readings.avro, day.json)")
    p.add_argument("--out", required=True, help="folder for silver/ and gold/")
    p.add_argument("--model", default=os.path.join(REPO, "detector", "model", "artifacts"))
    p.add_argument("--registry", help="the plant's device registry (contracts/registry.ts); default: an empty one, every device the default design")
    a = p.parse_args(argv)

    with open(os.path.join(a.simulated, "day.json"), encoding="utf-8") as f:
        day = json.load(f)
    out = os.path.abspath(a.out)
    run_id = "local-%d" % int(time.time())
    registry = os.path.abspath(a.registry) if a.registry else os.path.join(out, "bootstrap", "registry", "device_registry.json")
    if not a.registry:
        os.makedirs(os.path.dirname(registry), exist_ok=True)
        with open(registry, "w", encoding="utf-8") as f:
            f.write('{"devices": []}\n')
    spark = SparkSession.builder.appName("pv-fault local day").getOrCreate()
    try:
        ingest_args = ingest_data.parse_args([
            "--date", day["date"], "--start-ms", str(day["window"]["startMs"]), "--end-ms", str(day["window"]["endMs"]),
            "--run-id", run_id, "--time-zone", day["timeZone"], "--bootstrap-servers", "unused:9098",
            "--topic", "unused", "--silver-uri", os.path.join(out, "silver"), "--registry-uri", registry,
        ])
        records = kafka_shaped(spark, os.path.join(os.path.abspath(a.simulated), "readings.avro"))
        print(json.dumps(ingest_data.run(spark, ingest_args, records=records)))
        predict_args = predict_fault.parse_args([
            "--date", day["date"], "--run-id", run_id, "--time-zone", day["timeZone"],
            "--silver-uri", os.path.join(out, "silver"), "--gold-uri", os.path.join(out, "gold"),
            "--model-uri", os.path.abspath(a.model),
        ])
        print(json.dumps(predict_fault.run(spark, predict_args)))
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
