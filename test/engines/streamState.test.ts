/**
 * The stream's state on real Spark (spark/jobs/stream_alarms.py StreamState, local[1],
 * .venv-spark): micro-batches write their rows of two days, each then reads the state as of
 * it and compacts it (pvfault.streamstate, a run every 3 folders here), some are attempted
 * twice as Spark replays a micro-batch that failed. Every read holds each earlier micro-batch's
 * rows exactly once, with its batch, whether they come from its own folder or a compacted
 * run, and a day's view stays a few folders however many micro-batches ran. The plan itself
 * is test/python/test_stream_state.py's (every failure point); this holds the Parquet
 * reading and writing of it, which CI's pytest cannot run without PySpark. Needs Java 17 and
 * .venv-spark (spark/dev/venv.sh), as the other engine tests.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSparkScript } from './sparkScript';

const EVERY = 3;
const BATCHES = 24;

const SCRIPT = `import json, sys
from pyspark.sql import SparkSession
from pvfault.sparkio import struct_type
import stream_alarms as job
root, every, batches = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
spark = (SparkSession.builder.master("local[1]").config("spark.sql.shuffle.partitions", "2")
         .config("spark.ui.enabled", "false").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
fields = [("deviceId", "string"), ("date", "string"), ("timestamp", "long"), ("voltage", "float")]
plain = {"type": "struct", "fields": [{"name": n, "type": t, "nullable": True, "metadata": {}} for n, t in fields]}
schema = job.with_batch(plain)
state = job.StreamState(spark, root + "/state", root + "/gold")
days = ["2026-07-14", "2026-07-15"]
written, out = [], {"reads": 0, "mismatches": [], "foldersRead": [], "runsWritten": 0}

def rows_of(b):
    rows = []
    for d in days:
        if d == days[0] and b % 5 == 4:
            continue  # a micro-batch without a reading of that day writes no folder for it
        if d == days[1] and b < batches // 2:
            continue  # the second day starts half-way
        rows += [("dev-%d" % k, d, b * 1000 + k, float(b) + k / 10.0) for k in range(3)]
    return rows

def got(own, b):
    df = state.read("readings", schema, days, b, own)
    if df is None:
        return []
    return sorted((r["deviceId"], r["date"], r["timestamp"], round(r["voltage"], 3), r["batch"]) for r in df.collect())

for b in range(batches):
    mine = [(dev, d, ts, round(v, 3), str(b)) for dev, d, ts, v in rows_of(b)]
    for attempt in range(2 if b % 7 == 6 else 1):  # a replay: the same rows, after the first attempt compacted
        state.write("readings", spark.createDataFrame(rows_of(b), struct_type(plain)), b, sorted({r[1] for r in mine}))
        state.folders_read = 0
        before, with_own = got(False, b), got(True, b)
        out["foldersRead"].append(state.folders_read // 2)
        out["reads"] += 2
        if before != sorted(written):
            out["mismatches"].append({"batch": b, "attempt": attempt, "own": False, "got": len(before), "want": len(written)})
        if with_own != sorted(written + mine):
            out["mismatches"].append({"batch": b, "attempt": attempt, "own": True, "got": len(with_own), "want": len(written) + len(mine)})
        out["runsWritten"] += state.compact("readings", schema, days, b, every)
    written += mine
out["rows"] = len(written)
spark.stop()
print("RESULT " + json.dumps(out))
`;

test("the stream's state reads each earlier micro-batch's rows once through compaction and replays, from a few folders", () => {
  const dir = mkdtempSync(join(tmpdir(), 'stream-state-'));
  try {
    const got = runSparkScript<{ reads: number; mismatches: unknown[]; foldersRead: number[]; runsWritten: number; rows: number }>(SCRIPT, [dir, String(EVERY), String(BATCHES)], 420_000);
    expect(got.mismatches).toEqual([]);
    expect(got.reads).toBe(2 * (BATCHES + 3)); // batches 6, 13 and 20 attempted twice
    expect(got.rows).toBeGreaterThan(3 * BATCHES);
    // compaction ran, runs of runs included, and kept each day's view small (two days: at most 2 × (runs + folders))
    expect(got.runsWritten).toBeGreaterThan(BATCHES / EVERY);
    expect(Math.max(...got.foldersRead)).toBeLessThanOrEqual(2 * 2 * EVERY);
    const day = readdirSync(join(dir, 'state', 'readings', 'date=2026-07-14'));
    expect(day.filter((n) => n.startsWith('run=')).length).toBeGreaterThan(0);
    expect(day.length).toBeLessThanOrEqual(2 * EVERY + 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 480_000);
