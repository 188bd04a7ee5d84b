"""The Spark side of the tables: the object store over Hadoop's FileSystem, and
writing a table by the commit protocol. Shared by both jobs.

The only module of pvfault that touches Spark; it imports pyspark inside the functions
that need it, so the rest of the package imports without it. On EMR the s3:// scheme
is EMRFS, where a create/close is one PUT and a rename a server-side copy and delete;
locally it is the file system. Exercised on Spark only (spark/README.md), not in CI:
the decisions it applies (names, order, marker, sizes) are pure functions in
pvfault.tables with tests.
"""
import json

from pvfault.contracts import TABLES_CONTRACT
from pvfault import tables

STAGING = "spark-staging"
"""Folder in a run's folder where Spark writes before the files get their contract names."""


class HadoopStore(object):
    def __init__(self, spark, root):
        self._jvm = spark._jvm
        self._conf = spark._jsc.hadoopConfiguration()
        self.root = root.rstrip("/")

    def uri(self, key):
        return self.root + "/" + key

    def _path(self, uri):
        return self._jvm.org.apache.hadoop.fs.Path(uri)

    def _fs(self, path):
        return path.getFileSystem(self._conf)

    def read_bytes_uri(self, uri):
        path = self._path(uri)
        fs = self._fs(path)
        if not fs.exists(path):
            return None
        stream = fs.open(path)
        try:
            return bytes(self._jvm.org.apache.commons.io.IOUtils.toByteArray(stream))
        finally:
            stream.close()

    def read_text(self, key):
        data = self.read_bytes_uri(self.uri(key))
        return None if data is None else data.decode("utf-8")

    def write_text(self, key, text):
        path = self._path(self.uri(key))
        out = self._fs(path).create(path, True)
        try:
            out.write(bytearray(text.encode("utf-8")))
        finally:
            out.close()

    def move(self, src_key, dst_key):
        src, dst = self._path(self.uri(src_key)), self._path(self.uri(dst_key))
        fs = self._fs(dst)
        # a key of this run can only exist from an earlier attempt of the same run
        if fs.exists(dst):
            fs.delete(dst, False)
        if not fs.rename(src, dst):
            raise IOError("could not move %s to %s" % (src_key, dst_key))

    def delete(self, key):
        path = self._path(self.uri(key))
        self._fs(path).delete(path, False)

    def exists(self, key):
        path = self._path(self.uri(key))
        return bool(self._fs(path).exists(path))

    def list(self, prefix):
        """Keys of the files under a folder key (recursively), [] if there is none."""
        path = self._path(self.uri(prefix.rstrip("/")))
        fs = self._fs(path)
        if not fs.exists(path):
            return []
        keys = []
        files = fs.listFiles(path, True)
        while files.hasNext():
            uri = files.next().getPath().toString()
            keys.append(prefix.rstrip("/") + "/" + uri.split("/" + prefix.rstrip("/") + "/", 1)[-1])
        return sorted(keys)

    def folders(self, prefix):
        """Names of the sub-folders of a folder key (one listing, not recursive), [] if there is none."""
        path = self._path(self.uri(prefix.rstrip("/")))
        fs = self._fs(path)
        if not fs.exists(path):
            return []
        return sorted(status.getPath().getName() for status in fs.listStatus(path) if status.isDirectory())

    def delete_tree(self, key):
        path = self._path(self.uri(key))
        self._fs(path).delete(path, True)

    def parquet_files(self, dir_key):
        """[(key, bytes)] of the Parquet files Spark wrote in a folder, in part order."""
        path = self._path(self.uri(dir_key))
        fs = self._fs(path)
        if not fs.exists(path):
            return []
        out = []
        for status in fs.listStatus(path):
            name = status.getPath().getName()
            if name.startswith("part-") and name.endswith(".parquet"):
                out.append((dir_key.rstrip("/") + "/" + name, int(status.getLen())))
        return sorted(out)


def write_table(spark, store, df, table, date, run_id, rows, input_run_id=None):
    """Sorts df by the table's sortBy, writes it with Spark, publishes it; returns the commit marker.

    Range partitioning on deviceId keeps each device in one file and the files in device
    order (Spark numbers its part files by partition), so the marker's per-file device
    ranges and the row groups' statistics let the API read one device's rows only.
    """
    from pyspark.sql import functions as F

    sort_by = TABLES_CONTRACT["tables"][table]["sortBy"]
    staging = tables.run_prefix(table, date, run_id) + STAGING
    # a plant-level table (no deviceId: gold_plant_condition, a few rows) is one file, with no device range
    by_device = sort_by[0] == "deviceId"
    ordered = (df.repartitionByRange(tables.files_for(table, rows), sort_by[0]) if by_device else df.coalesce(1)).sortWithinPartitions(*sort_by)
    (ordered.write.mode("overwrite")
        .option("compression", "snappy")
        .option("parquet.block.size", str(tables.ROW_GROUP_BYTES[table]))
        .parquet(store.uri(staging)))
    files = store.parquet_files(staging)
    # per-file rows and device range from the files themselves (one column read back)
    stats = {}
    if files:
        name = F.element_at(F.split(F.input_file_name(), "/"), -1)
        for r in (spark.read.parquet(store.uri(staging)).groupBy(name.alias("name"))
                  .agg(F.count(F.lit(1)).alias("rows"),
                       *((F.min("deviceId").alias("lo"), F.max("deviceId").alias("hi")) if by_device else ())).collect()):
            stats[r["name"]] = r
    staged = []
    for key, size in files:
        r = stats.get(key.rsplit("/", 1)[-1])
        staged.append({"key": key, "bytes": size, "rows": int(r["rows"]) if r else 0,
                       "minDeviceId": r["lo"] if r and by_device else None, "maxDeviceId": r["hi"] if r and by_device else None})
    if sum(f["rows"] for f in staged) != rows:
        raise RuntimeError("%s: Spark wrote %d rows, expected %d" % (table, sum(f["rows"] for f in staged), rows))
    marker = tables.publish(store, table, date, run_id, staged, tables.iso_now(), input_run_id)
    store.delete_tree(staging)
    return marker


def decoded_records(records):
    """Spark's Kafka source rows -> the frame pvfault.ingest.validate_records reads, Avro decoded.

    The daily ingest (a batch read of the day's window) and the stream (a micro-batch of the
    topic) decode the same way, so their readings are validated by the same rules.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.avro.functions import from_avro

    from pvfault import ingest

    r = from_avro(F.col("value"), ingest.spark_reading_schema_json(), {"mode": "PERMISSIVE"})
    return records.select(
        # the key and deviceId as bytes: Spark checks neither for UTF-8, and Python would fail
        # the task (every attempt, every rerun) on one that is not; pvfault.ingest.as_text judges them
        F.col("key"), "value", r.alias("r"), F.expr("unix_millis(timestamp)").alias("publishMs"),
        F.col("partition").alias("kafkaPartition"), F.col("offset").alias("kafkaOffset"),
    ).select(
        "key", "value", (F.col("r").isNotNull() & F.col("r.deviceId").isNotNull()).alias("decoded"),
        F.col("r.deviceId").cast("binary").alias("deviceId"),
        # never null: a null in an Arrow batch turns the column into float64 in pandas, which
        # rounds timestamps above 2^53 (wrong value, wrong reason); undecoded rows are told by `decoded`
        F.coalesce(F.col("r.timestamp"), F.lit(0).cast("long")).alias("timestamp"),
        "r.voltage", "r.current", "r.temperature", "r.irradiance",
        "publishMs", "kafkaPartition", "kafkaOffset",
    )


def nan_for_null(df, table):
    """Float list columns back to the contract: NaN, never null, in required elements.

    pandas -> Arrow turns NaN into null (from_pandas semantics), also inside lists; the
    silver series use NaN for a missing slot, so the nulls are turned back here, in the JVM.
    """
    from pyspark.sql import functions as F

    nan = F.lit(float("nan")).cast("float")
    lists = set(tables.float_list_columns(table))
    return df.select(*[F.transform(F.col(c), lambda x: F.coalesce(x, nan)).alias(c) if c in lists else F.col(c)
                       for c in df.columns])


def struct_type(schema_json):
    from pyspark.sql.types import StructType

    return StructType.fromJson(schema_json)


def run_job(job, parse_args, run, argv):
    """A job's entry point: its arguments, a Spark session named after the day and run
    (what the Spark UI and the EMR console show), its summary as one JSON line on stdout."""
    from pyspark.sql import SparkSession

    args = parse_args(argv)
    spark = SparkSession.builder.appName("pv-fault %s %s %s" % (job, args.date, args.run_id)).getOrCreate()
    try:
        print(json.dumps(run(spark, args)))
    finally:
        spark.stop()
