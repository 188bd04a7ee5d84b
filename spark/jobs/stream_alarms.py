"""EMR Serverless streaming job: the readings topic -> per-device alarms while the day goes on.

The daily batch (ingest_data.py, predict_fault.py) tells operators of a fault the next
morning. This job reads the same topic continuously and raises the same alarms as the
readings arrive: the same Avro decoding and validation (pvfault.sparkio.decoded_records,
pvfault.ingest.validate_records), the same silver row (pvfault.ingest.silver_row_of_device),
windows, CWT, model (pvfault.gold.window_probabilities) and CUSUM decision with the plant
gate (pvfault.gold.daily_row), each device judged against the baseline the batch wrote
(pvfault.baseline.latest_baseline). When a window of a day still arriving may be scored
and an alarm decided so that the result is the batch's is pvfault.stream's business (see
its docstring): a window waits for the CWT context after it (512 slots) behind the
watermark (the latest reading time less the contract's lateness).

Two tiers of alarms. The final alarms above wait 2 h 50 min of CWT context and the
lateness (3 h) after the window that raises them. The early alarms do not wait: each window
is scored the moment it ends, the samples after it stood in for (pvfault.windows.as_of_end_tensor,
reflect), under an early watermark (--early-lateness-ms, 2 min), with the same model,
thresholds, baselines, carry and plant gate. They are not the batch's alarms:
npm run eval -- --scoring end-reflect measures how often they agree with them and how much
earlier they come (docs/operations.md, "The stream"). Each tier is written and published once per
device-day (early: stream_alarm_early, message type pv-fault-early-alarm). Both decide in two
stages (contracts/detector.json alarms.raise): the early tier publishes a blocked string as
string_blocked at its raise, and once more (stream_alarm_early_label, pv-fault-early-label) when
the day's decision names its class; the final tier publishes the batch's alarm, so an alarm raised
as the group waits for the label the day's decision gives it (labelledMs), or for the day's end.

Why foreachBatch with the state in files rather than applyInPandasWithState: a device-day's
windows need the whole day so far (the CWT reads 8.5 windows either side), and the plant
gate is a decision across all devices of a slot, which a per-key state function cannot
see; foreachBatch hands each micro-batch to ordinary DataFrame code that can read the
plant's windows together. Its state is kept in files keyed by the micro-batch id:

  <state>/readings/date=<day>/batch=<id>/   the valid readings the micro-batch took
  <state>/windows/date=<day>/batch=<id>/    the gold_window rows it scored
  <state>/early_windows/date=<day>/batch=<id>/  the same, scored as of each window's end (early tier)
  <state>/<folder>/date=<day>/run=<first>-<last>/  the rows of micro-batches first..last, compacted
  <state>/progress/batch=<id>.json          the latest reading time seen, the days open and done,
                                            the devices with an alarm of each open day per tier
                                            (the last --progress-kept batches' only)
  <gold>/stream_alarm/date=<day>/batch=<id>/ the alarms it raised (the gold alarms table)
  <gold>/stream_alarm_early/date=<day>/batch=<id>/  its early alarms
  <gold>/stream_alarm_early_label/date=<day>/batch=<id>/  the labels its early alarms of a group got later

The day comes first in the state's folders: a micro-batch lists and reads only its open days
(one or two), so its cost does not grow with the days the stream has run; a closed day's state
is never read again (an S3 lifecycle rule may expire it). Within a day, the micro-batches'
folders are compacted into runs once --compact-after of them have gathered (and runs into one
run once as many runs have), so a micro-batch lists and opens at most about twice that many
folders of a day rather than one per earlier micro-batch (~1,440 by the day's end with the
60-s trigger); which folders it reads, writes and deletes, so that a replayed micro-batch still
reads each earlier one's rows exactly once, is pvfault.streamstate's. It still reads the rows
of the whole day so far, and rebuilds only what can score something: the latest reading of
each device-day (one column, aggregated before any shuffle) says which have a window newly
ready in some tier (pvfault.stream.ready_devices), and only their readings are shuffled, their
silver rows rebuilt and their windows' CWT taken, over the slots those windows read
(pvfault.stream.context_span) rather than the day so far. A device gets a new window every
21 min 20 s in each tier, the two tiers' at different times, so with a 60-s trigger about one
device in ten is rebuilt per micro-batch (devicesScored against devicesSeen in its summary
line; 63 % with the 10-min steps of bench:stream, 95 % with 20-min ones). The decisions likewise: the window
state is counted by Spark (windows per device-day, the plant gate's counts per slot: slot_counts)
rather than collected, and a day's rows are collected and its alarms decided only when a window
of it was scored or its gate moved since the last decision (pvfault.stream.decisions_unchanged;
the gate and who has an alarm carried in the progress record), not once a micro-batch.

A micro-batch reads only what batches before it wrote (and overwrites its own folders),
so Spark replaying a batch after a failure (the checkpoint's offsets, the same records)
writes the same files again: no alarm lost, none written twice. An alarm is published
to the notification topic after its table file is written; a replayed batch publishes it
again under the same key (SNS message deduplication on a FIFO topic, or the key in the
message: at least once, keyed, for a standard one).

pyspark is imported inside the functions that need it, so tests can import this module.
"""
import argparse
import json
import sys
import time

import pandas as pd

from pvfault import baseline, ingest, registry, stream, streamstate, tables
from pvfault.contracts import FAULT_CLASSES, LATENESS_MS
from pvfault.kafka import KAFKA_SECURITY_CONF, security_options
from pvfault.model import ARTIFACT_FILES, Lenet, cached_model
from pvfault.plantday import plant_day_window
from pvfault.windows import DEFAULT_PER_UNIT, per_unit_of

ALARM_PREFIX = "stream_alarm"
"""Folder of the streaming alarms in the gold bucket: date=<day>/batch=<id>/part-*.parquet."""

EARLY_ALARM_PREFIX = "stream_alarm_early"
"""Folder of the early alarms (each window scored the moment it ends), laid out as ALARM_PREFIX's."""

EARLY_LABEL_PREFIX = "stream_alarm_early_label"
"""Folder of the labels the day's decision gave early alarms published as their group (pvfault.stream.new_labels), laid out as ALARM_PREFIX's."""

ALARM_FOLDERS = {"final": ALARM_PREFIX, "early": EARLY_ALARM_PREFIX, "early_label": EARLY_LABEL_PREFIX}
STATE_WINDOW_COLUMNS = ("batch", "date", "deviceId", "windowIndex", "startMs", "endMs", "status", "confidence", "labelIndex") + tuple("p_" + c for c in FAULT_CLASSES) + (
    "meanCurrent", "meanIrradiance")
"""The columns of the window state the decisions read (batch first: the partition the state adds); the two means for the
second stage's step (contracts/detector.json alarms.raise step)."""
PROGRESS_KEPT = 16
"""How many micro-batches' progress records are kept by default (--progress-kept; a replay reads the one before it)."""
WINDOW_FOLDERS = {"final": "windows", "early": "early_windows"}


def state_key(folder, day, batch_id):
    """The state folder of one micro-batch's rows of one day: the day first, so that a micro-batch lists only its open days."""
    return "%s/date=%s/batch=%d" % (folder, day, batch_id)


STREAM_GROUP_PREFIX = "spark-kafka-relation-stream"
"""Prefix of the Kafka consumer group ids of the stream's source. Spark keeps the offsets in its
checkpoint and commits none to the group, so MSK's consumer-lag metrics stay empty for it: the
job reports its own lag instead (--metrics-namespace)."""

READING_COLUMNS = ("deviceId", "date", "timestamp", "voltage", "current", "temperature", "irradiance", "kafkaPartition", "kafkaOffset")


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="stream_alarms.py", description="readings topic -> alarms, continuously")
    p.add_argument("--time-zone", required=True, help="the plant's IANA time zone (plant-local days)")
    p.add_argument("--bootstrap-servers", required=True, help="MSK bootstrap brokers (IAM listener, port 9098)")
    p.add_argument("--topic", required=True, help="the readings topic")
    p.add_argument("--gold-uri", required=True, help="s3://<gold bucket>: the baselines read, the alarms written")
    p.add_argument("--registry-uri", required=True, help="s3://<bootstrap bucket>/registry/device_registry.json: the plant's device registry (the designs the model's per-unit inputs read), as the ingest reads it")
    p.add_argument("--model-uri", required=True, help="folder holding model.json, weights.bin, normalization.json, alarms.json")
    p.add_argument("--state-uri", required=True, help="folder of the stream's state (s3:// on EMR)")
    p.add_argument("--checkpoint-uri", help="Spark's checkpoint folder (default <state-uri>/checkpoint)")
    p.add_argument("--notify", required=True, help="sns:<topic ARN>, or a folder receiving one JSON file per alarm")
    p.add_argument("--trigger", default="60 seconds", help="micro-batch interval, or availableNow (replay what is on the topic, then stop)")
    p.add_argument("--starting-offsets", default="latest", choices=("earliest", "latest"), help="where a stream without checkpoint starts")
    p.add_argument("--max-offsets-per-trigger", type=int, default=0, help="records per micro-batch at most (0: no limit)")
    p.add_argument("--lateness-ms", type=int, default=LATENESS_MS, help="watermark delay (default: the contract's lateness)")
    p.add_argument("--early-lateness-ms", type=int, default=stream.EARLY_LATENESS_MS,
                   help="the early alarms' watermark delay: a window is scored as it reads the moment it ends, once its readings are this far behind the latest")
    p.add_argument("--no-early-alarms", action="store_true", help="raise only the final (batch-equal) alarms")
    p.add_argument("--compact-after", type=int, default=streamstate.COMPACT_EVERY,
                   help="a day's micro-batch folders (and runs) of the state kept before they are written into one run (0: never; pvfault.streamstate)")
    p.add_argument("--metrics-namespace", help="CloudWatch namespace of the stream's lag metric (EMR); none locally")
    p.add_argument("--stage", default="local", help="the Stage dimension of the lag metric")
    p.add_argument("--progress-kept", type=int, default=PROGRESS_KEPT,
                   help="micro-batches whose progress records are kept (at least 2: a replayed batch reads the one before it)")
    args = p.parse_args(argv)
    if args.progress_kept < 2:
        p.error("--progress-kept must be at least 2 (a replayed micro-batch reads the progress of the one before it), not %d" % args.progress_kept)
    if args.compact_after < 0:
        p.error("--compact-after must be 0 (never) or a number of folders, not %d" % args.compact_after)
    args.checkpoint_uri = args.checkpoint_uri or args.state_uri.rstrip("/") + "/checkpoint"
    return args


def kafka_stream_options(args, security_protocol="SASL_SSL"):
    """Options of Spark's Kafka source for the continuous read, with the ingest's security options."""
    options = {
        "kafka.bootstrap.servers": args.bootstrap_servers,
        "subscribe": args.topic,
        # only a stream without checkpoint: a restart resumes at the checkpoint's offsets
        "startingOffsets": args.starting_offsets,
        # records past the topic's retention are gone whatever we do: go on with what is there
        "failOnDataLoss": "false",
        # the consumer groups the job role may use (infra/sparkJobs.ts SPARK_KAFKA_GROUP_PATTERN,
        # spark-kafka-relation-*, the batch read's): the stream's default prefix is another
        "groupIdPrefix": STREAM_GROUP_PREFIX,
    }
    if args.max_offsets_per_trigger > 0:
        options["maxOffsetsPerTrigger"] = str(args.max_offsets_per_trigger)
    options.update(security_options(security_protocol))
    return options


def validated_schema_with_date():
    schema = ingest.validated_spark_schema()
    return dict(schema, fields=schema["fields"] + [{"name": "date", "type": "string", "nullable": False, "metadata": {}}])


def window_schema_with_date():
    schema = tables.spark_schema("gold_window")
    return dict(schema, fields=schema["fields"] + [{"name": "date", "type": "string", "nullable": False, "metadata": {}}])


def window_schema_with_tier():
    """The scoring's output: a window row, its day and its tier (stream.TIERS)."""
    schema = window_schema_with_date()
    return dict(schema, fields=schema["fields"] + [{"name": "tier", "type": "string", "nullable": False, "metadata": {}}])


def with_batch(schema):
    """A state folder's schema with its partition columns: batch (a name: read as text) after date."""
    from pvfault.sparkio import struct_type

    return struct_type(dict(schema, fields=schema["fields"] + [{"name": "batch", "type": "string", "nullable": True, "metadata": {}}]))


def alarm_schema():
    types = {"string": "string", "int64": "long", "int32": "integer", "float64": "double"}
    return {"type": "struct", "fields": [{"name": n, "type": types[t], "nullable": n in ("baselineGain", "sinceMs", "raisedAs", "labelledMs"), "metadata": {}} for n, t in stream.ALARM_COLUMNS]}


class Notifier(object):
    """Publishes alarms: to an SNS topic (sns:<arn>), or as files <folder>/<date>/<deviceId>.json (local runs and tests)."""

    def __init__(self, target, store_for):
        self.target = target
        self._sns = None
        self._store = None if target.startswith("sns:") else store_for(target)

    def publish(self, alarm, kind="final"):
        key, message = stream.alarm_message(alarm, kind)
        body = json.dumps(message, sort_keys=True)
        if self._store is not None:
            self._store.write_text(key + ".json", body + "\n")  # one file per device-day: a replay rewrites it
            return
        import boto3  # pinned in spark/requirements.txt; only the SNS path needs it

        arn = self.target[len("sns:"):]
        if self._sns is None:
            self._sns = boto3.client("sns", region_name=arn.split(":")[3])
        extra = {}
        if arn.endswith(".fifo"):
            # a replayed micro-batch publishes again: SNS drops the copy within its 5-minute window
            extra = {"MessageGroupId": alarm["deviceId"], "MessageDeduplicationId": key.replace("/", "-")}
        self._sns.publish(TopicArn=arn, Subject=stream.alarm_subject(alarm, kind), Message=body,
                          MessageAttributes={"alarmKey": {"DataType": "String", "StringValue": key}}, **extra)


class PhaseClock(object):
    """Wall milliseconds of a micro-batch's phases, in the summary line: where a slow stream spends its time."""

    def __init__(self):
        self._last = time.perf_counter()
        self._ms = {}

    def lap(self, phase):
        now = time.perf_counter()
        self._ms[phase] = self._ms.get(phase, 0) + round((now - self._last) * 1000)
        self._last = now

    def phases_ms(self):
        return dict(self._ms)


class StreamState(object):
    """The stream's files (module docstring), read as of a micro-batch: only earlier batches' but for its own readings."""

    def __init__(self, spark, state_uri, gold_uri, progress_kept=PROGRESS_KEPT):
        from pvfault.sparkio import HadoopStore

        self.spark = spark
        self.progress_kept = progress_kept
        self.store = HadoopStore(spark, state_uri.rstrip("/"))
        self.gold = HadoopStore(spark, tables.table_root(gold_uri))
        self.folders_read = 0  # state folders (batch folders and runs) read, for the summary

    def progress_before(self, batch_id):
        best = None
        for key in self.store.list("progress"):
            name = key.rsplit("/", 1)[-1]
            if name.startswith("batch=") and name.endswith(".json"):
                b = int(name[len("batch="):-len(".json")])
                if b < batch_id and (best is None or b > best[0]):
                    best = (b, key)
        if best is None:
            return {"maxEventMs": None, "openDays": [], "doneDays": [], "raised": {}}
        return json.loads(self.store.read_text(best[1]))

    def write_progress(self, batch_id, progress):
        self.store.write_text("progress/batch=%d.json" % batch_id, json.dumps(progress, sort_keys=True) + "\n")
        # a replay re-runs only the last batch, which reads the one before it: older records are never read again
        for key in self.store.list("progress"):
            name = key.rsplit("/", 1)[-1]
            if name.startswith("batch=") and name.endswith(".json") and int(name[len("batch="):-len(".json")]) <= batch_id - self.progress_kept:
                self.store.delete(key)

    def write(self, folder, df, batch_id, days):
        """Writes the micro-batch's rows of each day (a `date` column) to <state>/<folder>/date=<day>/batch=<id>/, replacing an earlier attempt's."""
        from pyspark.sql import functions as F

        for d in days:
            df.where(F.col("date") == d).drop("date").write.mode("overwrite").parquet(self.store.uri(state_key(folder, d, batch_id)))

    def listing(self, folder, day):
        """(batch ids, runs) of <state>/<folder>/date=<day>/: one listing of the day's folder."""
        return streamstate.parse_children(self.store.folders("%s/date=%s" % (folder, day)))

    def _rows(self, folder, schema, parts):
        """The rows of [(day, runs, batch ids)] of <state>/<folder>, or None when there are none."""
        run_paths = [self.store.uri("%s/date=%s/%s" % (folder, d, streamstate.run_name(*r))) for d, runs, _ in parts for r in runs]
        batch_paths = [self.store.uri(state_key(folder, d, b)) for d, _, batches in parts for b in batches]
        self.folders_read += len(run_paths) + len(batch_paths)
        names = [f.name for f in schema.fields]
        # a batch folder has its batch in its path, a run has its rows' in a column: read apart, alike
        frames = [self.spark.read.option("basePath", self.store.uri(folder)).schema(schema).parquet(*paths).select(*names)
                  for paths in (run_paths, batch_paths) if paths]
        if not frames:
            return None
        return frames[0] if len(frames) == 1 else frames[0].unionByName(frames[1])

    def read(self, folder, schema, days, batch_id, own):
        """The rows of <state>/<folder> of the given days written by the micro-batches before
        `batch_id` (and by it, if `own`), each once: the view of pvfault.streamstate (compacted
        runs and the batch folders they do not cover), or None when there are none.

        Only the days' folders are listed: what the stream wrote on other days costs nothing here."""
        through = batch_id if own else batch_id - 1
        parts = []
        for d in sorted(days):
            batches, runs = self.listing(folder, d)
            parts.append((d,) + streamstate.view(batches, runs, batch_id, through))
        return self._rows(folder, schema, parts)

    def compact(self, folder, schema, days, batch_id, every):
        """Once this micro-batch's own rows are written: writes the run pvfault.streamstate.compaction
        asks for, if any, then deletes what a run written before this micro-batch covers. Returns
        how many runs it wrote."""
        written = 0
        for d in sorted(days):
            batches, runs = self.listing(folder, d)
            plan = streamstate.compaction(batches, runs, batch_id, every)
            if plan is not None:
                (first, last), sources, loose = plan
                rows = self._rows(folder, schema, [(d, sources, loose)])
                rows.drop("date").write.mode("overwrite").parquet(self.store.uri("%s/date=%s/%s" % (folder, d, streamstate.run_name(first, last))))
                written += 1
                runs = sorted(set(runs) | {(first, last)})  # the day's folder now, without listing it again
            dead_runs, dead_batches = streamstate.garbage(batches, runs, batch_id)
            for r in dead_runs:
                self.store.delete_tree("%s/date=%s/%s" % (folder, d, streamstate.run_name(*r)))
            for b in dead_batches:
                self.store.delete_tree(state_key(folder, d, b))
        return written

    def raised_before(self, progress, day, batch_id, tier="final"):
        """Device ids with an alarm of `day` (of the tier) raised by an earlier micro-batch: from the
        progress record before this batch, which lists them (one read, however many micro-batches
        raised alarms that day), or, for a record written before it did, from the alarm table."""
        if "raised" in progress:
            return set(progress["raised"].get(tier, {}).get(day, []))
        return self.raised(day, batch_id, tier)

    def pending_before(self, progress, day, batch_id):
        """Device ids whose early alarm of `day` went out as its group and has no label yet: from the
        progress record before this batch, which lists them, or, for a record written before it did
        (a stream upgraded while the day was open), from the early alarm and label tables, so that
        the upgrade loses no label."""
        if "pending" in progress:
            return set(progress["pending"].get(day, []))
        grouped = {r["deviceId"] for r in self.alarm_rows(day, batch_id, "early", ("deviceId", "labelledMs")) if r["labelledMs"] is None}
        return grouped - {r["deviceId"] for r in self.alarm_rows(day, batch_id, "early_label", ("deviceId",))}

    def raised(self, day, batch_id, tier="final"):
        """Device ids with an alarm of `day` (of the tier) written by an earlier micro-batch, read
        from the alarm table."""
        return {r["deviceId"] for r in self.alarm_rows(day, batch_id, tier, ("deviceId",))}

    def alarm_rows(self, day, batch_id, table, columns):
        """The columns of the alarms of `day` an earlier micro-batch wrote to an alarm table
        (ALARM_FOLDERS: final, early, early_label): a Spark read per file, one file per micro-batch
        that wrote any."""
        prefix = "%s/date=%s" % (ALARM_FOLDERS[table], day)
        rows = []
        for key in self.gold.list(prefix):
            part = key[len(prefix) + 1:].split("/", 1)[0]
            if part.startswith("batch=") and int(part[len("batch="):]) < batch_id and key.endswith(".parquet"):
                rows.extend(r.asDict() for r in self.spark.read.parquet(self.gold.uri(key)).select(*columns).collect())
        return rows


def write_alarms(spark, rows, uri):
    """Alarm rows (pvfault.stream.ALARM_COLUMNS) as one parquet file under `uri`, replacing what is there."""
    from pvfault.sparkio import struct_type

    columns = [n for n, _ in stream.ALARM_COLUMNS]
    spark.createDataFrame([tuple(a[c] for c in columns) for a in rows], struct_type(alarm_schema())).coalesce(1).write.mode("overwrite").parquet(uri)


def slot_counts(earlier, new_rows):
    """{date: pvfault.stream.window_slots} of a tier's window state: the earlier batches' rows
    (a DataFrame of STATE_WINDOW_COLUMNS, or None) counted by a Spark aggregation, without
    collecting them, and this batch's rows (dicts) added in Python."""
    from pyspark.sql import functions as F

    from pvfault.alarms import PLANT_GATE

    out = {}
    if earlier is not None:
        predicted = F.col("status") == "predicted"
        for r in earlier.groupBy("date", "startMs").agg(
                F.sum(F.when(predicted, 1).otherwise(0)).alias("predicted"),
                F.sum(F.when(predicted & (F.col("p_normal") < F.lit(float(PLANT_GATE["normalBelow"]))), 1).otherwise(0)).alias("off")).collect():
            out.setdefault(r["date"], {})[int(r["startMs"])] = (int(r["predicted"]), int(r["off"]))
    by_day = {}
    for r in new_rows:
        by_day.setdefault(r["date"], []).append(r)
    for day, rows in by_day.items():
        counts = out.setdefault(day, {})
        for start, (p, o) in stream.window_slots(rows).items():
            p0, o0 = counts.get(start, (0, 0))
            counts[start] = (p0 + p, o0 + o)
    return out


def process_batch(spark, args, shared, records, batch_id, log=print, designs=None):
    """One micro-batch (module docstring). Returns its summary, also printed as a JSON line.

    designs: {deviceId: pvfault.windows.PerUnit} from the plant's registry (None or a device
    without a row: the default design), as the batch's predict reads the day's registry.
    """
    designs = designs or {}
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from pvfault.sparkio import decoded_records, struct_type

    clock = PhaseClock()
    state = StreamState(spark, args.state_uri, args.gold_uri, args.progress_kept)
    before = state.progress_before(batch_id)
    tz = args.time_zone

    def validate(batches):
        for frame in batches:
            yield stream.validate_stream_records(frame, tz)

    validated = decoded_records(records).mapInPandas(validate, struct_type(validated_schema_with_date())).persist(StorageLevel.MEMORY_AND_DISK)
    counts = validated.groupBy("reason", "date").agg(F.count(F.lit(1)).alias("n"), F.max("timestamp").alias("latest")).collect()
    valid = validated.where(F.col("reason") == "").select(*READING_COLUMNS)
    state.write("readings", valid, batch_id, sorted({r["date"] for r in counts if r["reason"] == ""}))
    validated.unpersist()
    clock.lap("validate")

    # the latest reading time seen so far (valid readings only: a record set aside moves no watermark)
    seen = [int(r["latest"]) for r in counts if r["reason"] == "" and r["latest"] is not None]
    if before["maxEventMs"] is not None:
        seen.append(int(before["maxEventMs"]))
    max_event = max(seen) if seen else None
    wm = stream.watermark(max_event, args.lateness_ms)
    tiers = ("final",) if args.no_early_alarms else ("final", "early")
    early_wm = stream.watermark(max_event, args.early_lateness_ms)
    done = set(before["doneDays"])
    open_days = sorted((set(before["openDays"]) | {r["date"] for r in counts if r["reason"] == ""}) - done)
    windows_of_day = {d: plant_day_window(d, tz) for d in open_days}
    closed = {d: stream.day_closed(wm, windows_of_day[d][1]) for d in open_days}
    early_closed = {d: stream.day_closed(early_wm, windows_of_day[d][1]) for d in open_days}

    new_windows = {t: 0 for t in tiers}
    devices_seen = devices_scored = runs_written = 0
    # who already has an alarm of each open day, per tier: carried from batch to batch in the progress record
    raised_so_far = {t: {d: state.raised_before(before, d, batch_id, t) for d in open_days} for t in tiers}
    # each tier's plant gate per open day as its decisions read it, and how many day-decisions ran
    gates = {t: {} for t in tiers}
    decided = {t: 0 for t in tiers}
    raised_now = {t: [] for t in tiers}
    # the early alarms published as their group, waiting for the label the day gives them, and the labels given now
    pending = {d: state.pending_before(before, d, batch_id) for d in open_days}
    labelled_now = []
    # Python CPU seconds inside the scoring tasks, per part (what the micro-batch's timings cannot split)
    udf_cpu = {k: spark.sparkContext.accumulator(0.0) for k in ("silver", "final", "early")}
    if open_days:
        reading_schema = {"type": "struct", "fields": [
            {"name": n, "type": t, "nullable": True, "metadata": {}} for n, t in zip(READING_COLUMNS, ("string", "string", "long", "float", "float", "float", "float", "integer", "long"))]}
        readings = state.read("readings", with_batch(reading_schema), open_days, batch_id, own=True)
        window_struct = struct_type(window_schema_with_tier())
        # each tier's windows scored by earlier batches, cached: how many each device-day has (what is
        # left to score), per slot what the plant gate counts, and the rows of a day whose decisions run
        earlier = {}
        scored = {}
        for tier in tiers:
            df = state.read(WINDOW_FOLDERS[tier], with_batch(window_schema_with_date()), open_days, batch_id, own=False)
            earlier[tier] = None if df is None else df.select(*STATE_WINDOW_COLUMNS).persist(StorageLevel.MEMORY_AND_DISK)
            if earlier[tier] is not None:
                for r in earlier[tier].groupBy("date", "deviceId").count().collect():
                    scored[(tier, r["date"], r["deviceId"])] = int(r["count"])
        references = {}
        for d in open_days:
            read_from, marker = baseline.latest_baseline(state.gold, d)
            if marker and marker["files"]:
                for r in spark.read.schema(struct_type(tables.spark_schema("device_baseline"))).parquet(*[state.gold.uri(f["key"]) for f in marker["files"]]).collect():
                    references[(d, r["deviceId"])] = tuple(baseline.reference_of(r.asDict(), baseline_date=read_from, date=d))
        context = spark.sparkContext.broadcast({"scored": scored, "references": references, "wm": wm, "closed": closed, "days": windows_of_day, "designs": designs,
                                                "tiers": tiers, "early_wm": early_wm, "early_closed": early_closed})

        def score(frame):
            c = context.value
            day, device = frame["date"].iloc[0], frame["deviceId"].iloc[0]
            start, end = c["days"][day]
            frame = frame.assign(reason="")  # valid readings only: silver counts none quarantined
            t = time.process_time()
            row = ingest.silver_row_of_device(device, frame, start, end)
            udf_cpu["silver"].add(time.process_time() - t)
            ref = c["references"].get((day, device))
            per_unit = c["designs"].get(device, DEFAULT_PER_UNIT)
            judged = baseline.judged_as(ref, per_unit)
            model = cached_model(shared.value)
            parts = []
            for tier in c["tiers"]:
                scored_before = c["scored"].get((tier, day, device), 0)
                t = time.process_time()
                if tier == "final":
                    rows = stream.score_windows(row, scored_before, c["wm"], c["closed"][day], model, judged)
                else:
                    rows = stream.score_windows_early(row, scored_before, c["early_wm"], c["early_closed"][day], model, judged)
                udf_cpu[tier].add(time.process_time() - t)
                part = tables.to_frame("gold_window", rows)
                part["date"] = day
                part["tier"] = tier
                parts.append(part)
            return pd.concat(parts, ignore_index=True)

        # only the device-days with a window newly ready in some tier are rebuilt and scored: the
        # latest reading of each (one column, aggregated before the shuffle) says which
        marks = {d: {t: (wm, closed[d]) if t == "final" else (early_wm, early_closed[d]) for t in tiers} for d in open_days}
        last_readings = {} if readings is None else {
            (r["date"], r["deviceId"]): int(r["lastMs"])
            for r in readings.groupBy("date", "deviceId").agg(F.max("timestamp").alias("lastMs")).collect()}
        to_score = stream.ready_devices(last_readings, scored, windows_of_day, marks)
        devices_seen, devices_scored = len(last_readings), len(to_score)
        if to_score:
            chosen = spark.createDataFrame(sorted(to_score), "date string, deviceId string")
            fresh = readings.join(F.broadcast(chosen), ["date", "deviceId"]).groupBy("date", "deviceId").applyInPandas(score, window_struct)
        else:
            fresh = spark.createDataFrame([], window_struct)
        fresh = fresh.persist(StorageLevel.MEMORY_AND_DISK)  # scored once, written per tier
        clock.lap("read")
        fresh.count()  # the scoring itself, timed apart from the writes
        clock.lap("score")
        model = cached_model(shared.value)
        notifier = Notifier(args.notify, lambda uri: _store(spark, uri))
        refs_of_day = {d: {dev: baseline.judged_as(ref, designs.get(dev, DEFAULT_PER_UNIT)) for (day, dev), ref in references.items() if day == d}
                       for d in open_days}
        for tier in tiers:
            folder = WINDOW_FOLDERS[tier]
            mine = fresh.where(F.col("tier") == tier).drop("tier")
            state.write(folder, mine, batch_id, open_days)
            clock.lap("write_" + tier)
            # what was just written, from the cache rather than read back: the state as of this batch
            new_rows = [dict(r.asDict(), batch=str(batch_id)) for r in mine.select(*STATE_WINDOW_COLUMNS[1:]).collect()]
            new_windows[tier] = len(new_rows)
            gate_counts = slot_counts(earlier[tier], new_rows)
            for d in open_days:
                day_new = [r for r in new_rows if r["date"] == d]
                if tier == "final":
                    gate = stream.settled_gate_of_slots(gate_counts.get(d, {}), wm, closed[d])
                else:
                    # an early window needs nothing after it: its slot is complete once it ended behind the early watermark
                    gate = stream.settled_gate_of_slots(gate_counts.get(d, {}), early_wm, early_closed[d], after=0)
                events, settled_before = gate
                gates[tier][d] = stream.gate_record(gate)
                key = "%s/date=%s/batch=%d" % (ALARM_FOLDERS[tier], d, batch_id)
                state.gold.delete_tree(key)  # an earlier attempt of this batch
                # the final tier's last decision of a day publishes the alarms that waited for their label
                closing = tier == "final" and closed[d]
                if stream.decisions_unchanged(day_new, gate, before.get("gates", {}).get(tier, {}).get(d), closing=closing):
                    continue
                decided[tier] += 1
                day_rows = day_new if earlier[tier] is None else (
                    [r.asDict() for r in earlier[tier].where(F.col("date") == d).collect()] + day_new)
                by_device = {}
                for r in day_rows:
                    by_device.setdefault(r["deviceId"], []).append(r)
                if tier == "early" and pending[d]:
                    # only a day with early alarms waiting for their label looks for labels (and clears an earlier attempt's:
                    # that attempt read the same progress, so it had some waiting too)
                    labels = stream.new_labels(d, by_device, events, settled_before, model.alarm_thresholds, refs_of_day[d], model.model_version,
                                               pending[d], max_event, batch_id, model.raise_thresholds)
                    label_key = "%s/date=%s/batch=%d" % (ALARM_FOLDERS["early_label"], d, batch_id)
                    state.gold.delete_tree(label_key)  # an earlier attempt of this batch
                    if labels:
                        write_alarms(spark, labels, state.gold.uri(label_key))
                    labelled_now.extend(labels)
                    pending[d] -= {a["deviceId"] for a in labels}
                # the final tier publishes the batch's alarm: a group raised early waits for the label the day gives it
                alarms_now = stream.new_alarms(d, by_device, events, settled_before, model.alarm_thresholds, refs_of_day[d], model.model_version,
                                               raised_so_far[tier][d], max_event, batch_id, model.raise_thresholds,
                                               until_labelled=tier == "final" and not closed[d])
                if alarms_now:
                    write_alarms(spark, alarms_now, state.gold.uri(key))
                if tier == "early":
                    pending[d] |= {a["deviceId"] for a in alarms_now if a["labelledMs"] is None}
                raised_now[tier].extend(alarms_now)
                raised_so_far[tier][d].update(a["deviceId"] for a in alarms_now)
            clock.lap("decide_" + tier)
        fresh.unpersist()
        for df in earlier.values():
            if df is not None:
                df.unpersist()
        for d in open_days:
            if closed[d]:
                done.add(d)
        for tier in tiers:
            for a in raised_now[tier]:
                notifier.publish(a, tier)
        for a in labelled_now:
            notifier.publish(a, "early_label")
        clock.lap("publish")
    still_open = sorted(set(open_days) - done)
    if still_open and args.compact_after > 0:
        # the days still open: their micro-batches' folders compacted into runs (a closed day's state is never read again)
        schemas = dict([("readings", with_batch(reading_schema))] + [(WINDOW_FOLDERS[t], with_batch(window_schema_with_date())) for t in tiers])
        for folder, schema in schemas.items():
            runs_written += state.compact(folder, schema, still_open, batch_id, args.compact_after)
        clock.lap("compact")
    if args.metrics_namespace and max_event is not None:
        put_lag_metric(args, max_event)
    progress = {"maxEventMs": max_event, "watermarkMs": wm, "openDays": still_open, "doneDays": sorted(done),
                "raised": {t: {d: sorted(raised_so_far[t][d]) for d in still_open} for t in tiers},
                "pending": {d: sorted(pending[d]) for d in still_open if pending[d]},
                "gates": {t: {d: g for d, g in gates[t].items() if d in still_open} for t in tiers}}
    state.write_progress(batch_id, progress)
    quarantined = {}
    for r in counts:
        if r["reason"]:
            quarantined[r["reason"]] = quarantined.get(r["reason"], 0) + int(r["n"])
    summary = {"job": "stream_alarms", "batch": batch_id, "records": sum(int(r["n"]) for r in counts), "quarantined": quarantined,
               "maxEventMs": max_event, "watermarkMs": wm, "openDays": progress["openDays"], "closedDays": sorted(d for d in closed if closed[d]),
               "earlyWatermarkMs": None if args.no_early_alarms else early_wm,
               "windowsScored": new_windows["final"],
               # device-days with readings so far, and those whose day was rebuilt and scored (a window newly ready)
               "devicesSeen": devices_seen, "devicesScored": devices_scored,
               # (tier, open day) decisions that ran: the others had no new window and the same gate as the batch before
               "daysDecided": decided,
               # state folders (micro-batches' and compacted runs) this micro-batch read, and the runs it wrote
               "stateFoldersRead": state.folders_read, "stateRunsWritten": runs_written,
               "alarms": [{k: a[k] for k in ("deviceId", "date", "label", "onsetMs", "raisedMs", "detectedMs")} for a in raised_now["final"]]}
    if not args.no_early_alarms:
        summary["earlyWindowsScored"] = new_windows["early"]
        summary["earlyAlarms"] = [{k: a[k] for k in ("deviceId", "date", "label", "onsetMs", "raisedMs", "detectedMs")} for a in raised_now["early"]]
        summary["earlyLabels"] = [{k: a[k] for k in ("deviceId", "date", "label", "raisedAs", "labelledMs", "detectedMs")} for a in labelled_now]
    clock.lap("progress")
    summary["phasesMs"] = clock.phases_ms()
    summary["scoringCpuMs"] = {k: round(a.value * 1000) for k, a in udf_cpu.items()}
    log(json.dumps(summary))
    return summary


LAG_METRIC = "EventTimeLagSeconds"
"""Wall-clock now less the latest reading time the stream has taken (its consumer lag, in time):
infra/streaming.ts alarms on it, and on its absence (the stream is down)."""


def put_lag_metric(args, max_event_ms):
    import time

    import boto3  # pinned in spark/requirements.txt

    lag = max(0.0, time.time() - max_event_ms / 1000.0)
    boto3.client("cloudwatch").put_metric_data(Namespace=args.metrics_namespace, MetricData=[
        {"MetricName": LAG_METRIC, "Dimensions": [{"Name": "Stage", "Value": args.stage}], "Value": lag, "Unit": "Seconds"}])


def _store(spark, uri):
    from pvfault.sparkio import HadoopStore
    return HadoopStore(spark, uri.rstrip("/"))


def run(spark, args):
    """Starts the query and waits for it: for ever (a processing-time trigger), or until the topic is read (availableNow)."""
    from pvfault.sparkio import HadoopStore

    # the state's partition folders are names (batch=7, date=2026-11-19), not a number and a date
    spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    store = HadoopStore(spark, args.model_uri.rstrip("/"))
    artifacts = {}
    for name in ARTIFACT_FILES:
        data = store.read_bytes_uri(store.uri(name))
        if data is None:
            raise RuntimeError("model file %s/%s is missing" % (args.model_uri, name))
        artifacts[name] = data
    Lenet.from_bytes(*(artifacts[n] for n in ARTIFACT_FILES))  # fails here, not in the first micro-batch's tasks
    shared = spark.sparkContext.broadcast(artifacts)
    # the plant's registry, read once as the stream starts (a changed registry takes a restart, as a new model does)
    rows = registry.read_registry(HadoopStore(spark, args.registry_uri.rsplit("/", 1)[0]), args.registry_uri)
    designs = {r["deviceId"]: per_unit_of(r) for r in rows}
    protocol = spark.conf.get(KAFKA_SECURITY_CONF, "SASL_SSL")
    source = spark.readStream.format("kafka").options(**kafka_stream_options(args, protocol)).load()

    def each(records, batch_id):
        process_batch(spark, args, shared, records, batch_id, log=lambda line: (sys.stdout.write(line + "\n"), sys.stdout.flush()), designs=designs)

    writer = source.writeStream.foreachBatch(each).option("checkpointLocation", args.checkpoint_uri).queryName("stream_alarms")
    writer = writer.trigger(availableNow=True) if args.trigger == "availableNow" else writer.trigger(processingTime=args.trigger)
    query = writer.start()
    query.awaitTermination()
    return {"job": "stream_alarms", "stopped": True, "lastProgress": bool(query.lastProgress)}


def main(argv=None):
    from pyspark.sql import SparkSession

    args = parse_args(argv)
    spark = SparkSession.builder.appName("pv-fault stream_alarms").getOrCreate()
    try:
        print(json.dumps(run(spark, args)))
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
