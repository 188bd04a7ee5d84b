/**
 * The predict job's plant-gate aggregation (spark/jobs/predict_fault.py plant_slot_frame)
 * on real Spark (local[1], .venv-spark), over the gold window rows of the shared fixture's
 * plant-days (test/fixtures/contracts/plant-gate-cases.json, built from detector/alarms.ts):
 * the slots and plant events it finds are the TypeScript's. The pure-Python side is
 * test/python/test_plant_gate.py; this holds the DataFrame expression itself (filter,
 * group by start, counts), which CI's pytest cannot run without PySpark. Needs Java 17
 * and .venv-spark (spark/dev/venv.sh), as the other engine tests.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSparkScript } from './sparkScript';
import { build } from '../fixtures/contracts/plant-gate-cases';
import { plantEventDayRows } from '../helpers/goldFixture';

const REPO = join(__dirname, '..', '..');

const SCRIPT = `import json, sys
from pyspark.sql import SparkSession, functions as F
from pvfault import alarms, gold, tables
from pvfault.sparkio import struct_type
import predict_fault
f = json.load(open(sys.argv[1], encoding="utf-8"))
spark = (SparkSession.builder.master("local[1]").config("spark.sql.shuffle.partitions", "2")
         .config("spark.ui.enabled", "false").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
schema = struct_type(tables.spark_schema("gold_window"))
out = []
for case in f["cases"]:
    rows = []
    for d in case["devices"]:
        ws = [(w["index"], w["startMs"], w["endMs"], w["skipReason"]) for w in d["windows"]]
        rows.extend(gold.window_rows(d["deviceId"], ws, d["probs"], f["modelVersion"]))
    frame = spark.createDataFrame(tables.to_frame("gold_window", rows), schema)
    slots = sorted((r["startMs"], r["devices"], r["offNormal"]) for r in predict_fault.plant_slot_frame(frame, F).collect())
    out.append({"slots": [{"startMs": s, "devices": d, "offNormal": o} for s, d, o in slots],
                "plantEvents": sorted(alarms.plant_events(slots))})
spark.stop()
print("RESULT " + json.dumps(out))
`;

test('the Spark aggregation finds the slots and plant events of detector/alarms.ts', () => {
  const got = runSparkScript<unknown>(SCRIPT, [join(REPO, 'test', 'fixtures', 'contracts', 'plant-gate-cases.json')], 240_000);
  expect(got).toEqual(build().cases.map((c) => ({ slots: c.slots, plantEvents: c.plantEvents })));
}, 300_000);

const CONDITIONS = `import json, sys
from pyspark.sql import SparkSession, functions as F
from pvfault import alarms, plant_conditions, tables
from pvfault.gold import MEAN_COLUMNS
from pvfault.sparkio import struct_type
import predict_fault
rows = json.load(open(sys.argv[1], encoding="utf-8"))
spark = (SparkSession.builder.master("local[1]").config("spark.sql.shuffle.partitions", "2")
         .config("spark.ui.enabled", "false").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
frame = spark.createDataFrame(tables.to_frame("gold_window", rows), struct_type(tables.spark_schema("gold_window")))
slot_rows = predict_fault.plant_slot_frame(frame, F).collect()
events = alarms.plant_events([(r["startMs"], r["devices"], r["offNormal"]) for r in slot_rows])
slots = {int(r["startMs"]): {"devices": int(r["devices"]), "offNormal": int(r["offNormal"]), "measured": int(r["measured"]),
                             "sums": [float(r[k]) for k, _ in MEAN_COLUMNS]} for r in slot_rows}
spark.stop()
print("RESULT " + json.dumps(plant_conditions.plant_conditions(slots, events)))
`;

test("the Spark aggregation sums the window means the plant's conditions are told by, as detector/plantConditions.ts does", () => {
  const day = plantEventDayRows(30, '2026-11-16');
  expect(day.conditions.length).toBeGreaterThan(0);
  const dir = mkdtempSync(join(tmpdir(), 'plant-conditions-'));
  try {
    writeFileSync(join(dir, 'rows.json'), JSON.stringify(day.windows));
    const got = runSparkScript<Record<string, unknown>[]>(CONDITIONS, [join(dir, 'rows.json')], 240_000);
    const expected = day.conditions.map(({ modelVersion: _, ...c }) => c);
    // kinds, spans and counts exactly; the sums' order differs (Spark's aggregation), so the ratios within 1e-12
    const exact = (c: Record<string, unknown>) => ({ kind: c.kind, startMs: c.startMs, endMs: c.endMs, windows: c.windows, devices: c.devices });
    expect(got.map(exact)).toEqual(expected.map(exact));
    got.forEach((c, i) => {
      for (const k of ['temperature', 'currentRatio', 'voltageRatio'] as const) expect(c[k] as number).toBeCloseTo(expected[i]![k]!, 12);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
