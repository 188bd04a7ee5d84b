/**
 * npm run bench:cwt -- [--channel-days 160]
 *
 * CWT channel-days per second (4,320 samples × scales 1..64, Morlet): ours on one
 * thread, and PyWavelets' pywt.cwt on the same signals in the same run (Debian's
 * python3-pywt through /usr/bin/python3), with the ratio. Goal (issue 6): ≥ 4× pywt.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cwt } from '../detector/cwt';
import { simulatePlantDay, plantConfig } from '../detector/simulator/plant';
import { silverOf } from '../detector/dataset';
import { CHANNELS, gapFilled, N_SCALES } from '../detector/windows';

function main(): void {
  const { values } = parseArgs({ options: { 'channel-days': { type: 'string', default: '160' } } });
  const wanted = Number(values['channel-days']);
  // real signals: simulated device-days through silver, four channels each
  const plant = simulatePlantDay(plantConfig({ date: '2026-11-19', devices: Math.ceil(wanted / 4), seed: 5 }));
  const signals: Float64Array[] = [];
  for (const day of plant.devices()) for (const c of CHANNELS) signals.push(gapFilled(silverOf(day, plant.window)[c]));
  signals.length = wanted;
  const n = signals[0]!.length;

  const out = new Float32Array(N_SCALES * n);
  cwt(signals[0]!, undefined, out); // kernel spectra for this length, once
  const t0 = process.hrtime.bigint();
  for (const s of signals) cwt(s, undefined, out);
  const ours = signals.length / (Number(process.hrtime.bigint() - t0) / 1e9);

  const dir = mkdtempSync(join(tmpdir(), 'bench-cwt-'));
  const file = join(dir, 'signals.f64');
  writeFileSync(file, Buffer.concat(signals.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength))));
  const python = `
import sys, time, numpy as np, pywt
x = np.fromfile(sys.argv[1], dtype="<f8").reshape(-1, ${n})
pywt.cwt(x[0], np.arange(1, 65), "morl")
t = time.perf_counter()
for row in x: pywt.cwt(row, np.arange(1, 65), "morl")
print(len(x) / (time.perf_counter() - t), pywt.__version__)`;
  const [theirs, version] = execFileSync('/usr/bin/python3', ['-c', python, file], { encoding: 'utf8' }).trim().split(' ');
  console.log(`CWT benchmark · ${signals.length} channel-days of ${n} samples × ${N_SCALES} scales · ${cpus()[0]?.model ?? ''} · ${new Date().toISOString().slice(0, 10)}`);
  console.log(`ours (TypeScript, 1 thread):   ${ours.toFixed(1)} channel-days/s`);
  console.log(`pywt ${version} (1 thread):       ${Number(theirs).toFixed(1)} channel-days/s`);
  console.log(`ratio: ${(ours / Number(theirs)).toFixed(2)}× (goal ≥ 4×)`);
}

main();
