/** One device-day's gold rows as the predict job makes them: the window means are the measured channels', whatever gain the device is judged with. */
import { FAULT_CLASSES } from '../../contracts';
import { ALARM_LABELS, type AlarmThresholds } from '../../detector/alarms';
import type { WindowClassifier } from '../../detector/model/infer';
import { WINDOW } from '../../detector/windows';
import { predictDevice } from '../../local/jobs/devicePredictor';
import { silverRow } from '../helpers/goldFixture';
import { NO_HISTORY } from '../../detector/baseline';

const THRESHOLDS = Object.fromEntries(ALARM_LABELS.map((l) => [l, 5])) as AlarmThresholds;

/** Every window normal: the model's input does not matter here. */
const classifier = {
  modelVersion: 'm-test',
  normalization: { scale: { voltage: 1, current: 1, temperature: 1, irradiance: 1 }, levels: { center: new Array(8).fill(0), spread: new Array(8).fill(1) } },
  alarmThresholds: { own: THRESHOLDS, fleet: THRESHOLDS },
  predict: async (_inputs: unknown, count: number) => Float32Array.from({ length: count * FAULT_CLASSES.length }, (_, i) => (i % FAULT_CLASSES.length === 0 ? 0.95 : 0.01)),
  close: async () => undefined,
} as unknown as WindowClassifier;

it('writes each predicted window the means of its measured channels, not of the irradiance the baseline gain scaled', async () => {
  const row = silverRow(3, '2026-06-15');
  const plain = await predictDevice(row, classifier);
  const gained = await predictDevice(row, classifier, undefined, { ...NO_HISTORY, gain: 1.25, days: 4 });
  const predicted = plain.windows.filter((w) => w.status === 'predicted');
  expect(predicted.length).toBeGreaterThan(5);
  for (const w of predicted) {
    const irradiance = row.irradiance.slice(w.windowIndex * WINDOW, (w.windowIndex + 1) * WINDOW);
    if (irradiance.some((x) => !Number.isFinite(x))) continue;
    expect(w.meanIrradiance).toBeCloseTo(irradiance.reduce((a, b) => a + b, 0) / WINDOW, 9);
  }
  expect(gained.windows.map((w) => [w.meanVoltage, w.meanCurrent, w.meanTemperature, w.meanIrradiance])).toEqual(plain.windows.map((w) => [w.meanVoltage, w.meanCurrent, w.meanTemperature, w.meanIrradiance]));
  for (const w of plain.windows.filter((x) => x.status === 'skipped')) expect(w.meanVoltage).toBeNull();
});
