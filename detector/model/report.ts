/**
 * The model card and the evaluation report (docs/model-card.md) with the confusion
 * matrix as a table and as an image, written from the training run's figures.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAULT_CLASSES } from '../../contracts';
import { HELD_OUT_MODULES, LEAK_GROUPS, persistenceGroup, severityKey, shortedGroup, TRAINING_DESIGN_SHARE, TRAINING_LAYOUTS, TRAINING_MODULES } from '../dataset';
import { moduleTechnology } from '../../contracts/design';
import type { Normalization } from '../windows';
import { DOCS_DIR, writeCardKeepingEval } from './cardSection';
import type { Metrics } from './metrics';

export interface GroupFigures {
  windows: number;
  accuracy: number;
  macroF1: number;
}

export interface Evaluation {
  modelVersion: string;
  /** 'plain' LeNet-5 or with 'batchnorm' after each convolution */
  variant?: string;
  backend: string;
  trainedAt: string;
  trainingSeconds: number;
  bestEpoch: number;
  /** training windows of a class seen k times an epoch (train --repeat); absent: each once */
  repeats?: Record<string, number>;
  parameters: number;
  history: { epoch: number; trainLoss: number; trainAccuracy: number; valLoss: number; valAccuracy: number; seconds: number }[];
  data: Record<'train' | 'validation' | 'test', { plantDays: { seed: number; date: string }[]; devicesPerPlantDay: number; windows: number; normalKeep: number; designs?: 'training' | 'default' }>;
  normalization: Normalization;
  test: {
    metrics: Metrics;
    /** fault windows by their fault's severity (dataset.ts severityGroup, severityKey) */
    bySeverity: Record<string, { windows: number; recall: number; predicted: Record<string, number> }>;
    byNoise: Record<string, GroupFigures>;
    bySky: Record<string, GroupFigures>;
    detection: { faultyDeviceDays: number; detected: number; undetected: number; medianDelayMin: number; p90DelayMin: number };
  };
}


function repeatsSentence(repeats: Evaluation['repeats']): string {
  const entries = Object.entries(repeats ?? {});
  if (entries.length === 0) return '';
  return ` Each training window of ${entries.map(([c, k]) => `${c} is seen ${k} times`).join(', ')} an epoch (\`--repeat\`, as a class weight of that many): a shadow acts for two or three hours of a day where the other faults act all day, so its windows are few.`;
}

export function confusionSvg(confusion: number[][], title: string): string {
  const k = FAULT_CLASSES.length;
  const cell = 62;
  const left = 130;
  const top = 120;
  const size = left + k * cell + 20;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${top + k * cell + 40}" font-family="Helvetica, Arial, sans-serif" font-size="11">`, `<rect width="100%" height="100%" fill="white"/>`, `<text x="10" y="20" font-size="14" font-weight="bold">${title}</text>`, `<text x="10" y="38" fill="#555">rows: true class · columns: predicted · colour: share of the row</text>`];
  confusion.forEach((row, r) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    out.push(`<text x="${left - 8}" y="${top + r * cell + cell / 2 + 4}" text-anchor="end">${FAULT_CLASSES[r]}</text>`);
    row.forEach((v, c) => {
      const share = v / total;
      const shade = Math.round(255 - share * 200);
      out.push(`<rect x="${left + c * cell}" y="${top + r * cell}" width="${cell - 2}" height="${cell - 2}" fill="rgb(${shade},${shade},255)"/>`);
      out.push(`<text x="${left + c * cell + cell / 2 - 1}" y="${top + r * cell + cell / 2 + 4}" text-anchor="middle" fill="${share > 0.6 ? 'white' : 'black'}">${v}</text>`);
    });
  });
  FAULT_CLASSES.forEach((name, c) => out.push(`<text x="${left + c * cell + cell / 2}" y="${top - 8}" transform="rotate(-40 ${left + c * cell + cell / 2} ${top - 8})">${name}</text>`));
  out.push('</svg>');
  return out.join('\n');
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** The (at most two) classes a class's windows are most often mistaken for, in words. */
function mistakenFor(confusion: number[][], cls: number): string {
  const row = confusion[cls] ?? [];
  const total = row.reduce((a, b) => a + b, 0) || 1;
  const wrong = row.map((n, c) => ({ n, c })).filter((x) => x.c !== cls && x.n > 0).sort((x, y) => y.n - x.n).slice(0, 2);
  return wrong.map((x) => `${FAULT_CLASSES[x.c]} (${pct(x.n / total)})`).join(' and ') || 'nothing';
}


const ARCHITECTURE_CHOICES = 'ReLU instead of tanh (faster, better-conditioned training), max- instead of average-pooling, dropout against memorising plant-days. ';
const LEVEL_BRANCH = 'The level branch is the one departure from LeNet\'s single input: the Morlet wavelet has zero mean, so the scalograms cannot show a series\' level, and the faults that mostly shift a level (an open string: current ×2/3; a leak to ground) were confused without it — the image-only LeNet-5 reached macro-F1 0.510 on the same test set (measured 2026-11-21, see Limits).';

/** The limits the severity breakdown shows: what the simulator's physics makes one observable. */
function physicalLimits(bySeverity: Evaluation['test']['bySeverity']): string[] {
  const calledAs = (v: { windows: number; predicted: Record<string, number> }, cls: string) => (v.predicted[cls] ?? 0) / v.windows;
  const ll1 = bySeverity[severityKey('line_line', shortedGroup(1))];
  const ll2 = bySeverity[severityKey('line_line', shortedGroup(2))];
  const ocPersistent = bySeverity[severityKey('open_circuit', persistenceGroup(false))];
  const ocIntermittent = bySeverity[severityKey('open_circuit', persistenceGroup(true))];
  const leaks = LEAK_GROUPS.map((group) => ({ group, v: bySeverity[severityKey('line_ground', group)] }));
  const weak = leaks[0]!.v;
  const out: string[] = [];
  if (ll1 && ll2 && ocPersistent) {
    const llCap = ll1.windows / (ll1.windows + ll2.windows);
    const ocCap = (ocIntermittent?.windows ?? 0) / (ocPersistent.windows + (ocIntermittent?.windows ?? 0));
    out.push(
      `- **What no classifier can separate here.** A short across two of a string's five modules leaves that string's open-circuit voltage (3 × ~65 V) below the array's maximum-power voltage (~5 × 54 V), so at every point the tracker visits the string does not conduct — exactly like an open string. Of the test set's ${ll2.windows} windows with two modules shorted, ${pct(calledAs(ll2, 'open_circuit'))} were called open_circuit, and ${pct(calledAs(ocPersistent, 'line_line'))} of the ${ocPersistent.windows} windows of persistent open strings were called line_line. Those windows are one observable: the best any classifier can do is give them all to one class, which caps line_line recall at ${pct(llCap)} on this test set (all its one-module windows — ${pct(ll1.recall)} recalled here — and none of the two-module ones) or, the other way, open_circuit recall at ${pct(ocCap)}. The issue's 0.93 recall for every class therefore cannot be reached on this simulator's physics; telling a short from an open string needs another measurement (per-string currents, or the converter's I-V sweep, which would show the shorted string's lower voltage step).`,
    );
  }
  if (weak) {
    out.push(
      `- A leak to ground below ~0.5 A (a high resistance near the grounded end) takes a few per cent of the array's current: ${pct(calledAs(weak, 'normal'))} of those ${weak.windows} windows were called normal (recall by leak current: ${leaks.flatMap(({ group, v }) => (v ? [`${group.replace('leak ', '')} ${pct(v.recall)}`] : [])).join(', ')}). Between healthy arrays the ratio of current to irradiance spreads by 2.6 % (module tolerance, sensor gains); against each array's own baseline by 0.5 % (see Data), which is what brings the smallest leaks within reach at all.`,
    );
  }
  return out;
}

/** Writes the card and its image into `docs`, keeping the card's eval section (cardSection.ts). */
export function writeModelCard(e: Evaluation, docs: string = DOCS_DIR): void {
  mkdirSync(join(docs, 'images', 'model'), { recursive: true });
  writeFileSync(join(docs, 'images', 'model', 'confusion.svg'), confusionSvg(e.test.metrics.confusion, `Test set confusion matrix — ${e.modelVersion}`));
  const m = e.test.metrics;
  const d = e.test.detection;
  const lines = [
    `# Model card — ${e.modelVersion}`,
    '',
    '_Written by `npm run train` from the run\'s own figures; the hand-written parts are in `detector/model/report.ts`._',
    '',
    '## What it does',
    '',
    'Classifies each 64-slot window (21 min 20 s) of a PV array\'s day as one of the six fault classes of the contract, from the Continuous Wavelet Transform (PyWavelets Morlet, scales 1..64) of the four 20-s series (voltage, current, module temperature, irradiance) stacked as a 64×64×4 image, normalised as `asinh(coef / scale[channel])`, together with the window\'s eight level features — each channel\'s mean and standard deviation over the window, as `(asinh(stat) − center) / spread` (contracts/detector.json). The pipeline runs it on every window with enough sun and data; the Spark job runs the same weights with numpy.',
    '',
    '## Architecture',
    '',
    e.variant === 'batchnorm'
      ? 'LeNet-5 (the design card\'s family), adapted: image branch conv 5×5×6 → batch norm → ReLU → max-pool 2 → conv 5×5×16 → batch norm → ReLU → max-pool 2 → dropout 0.3; level branch dense 32; both concatenated → dense 120 → dense 84 → softmax 6. ReLU instead of tanh and max- instead of average-pooling (faster, better-conditioned training); batch normalisation because the asinh-compressed scalograms are heavy-tailed; dropout against memorising plant-days.'
      : e.variant === 'classic'
        ? 'LeNet-5 (the design card\'s family) at its own 32×32 input: the 64×64×4 window is first averaged over 2×2 neighbouring scales and samples; then conv 5×5×6 → max-pool 2 → conv 5×5×16 → max-pool 2 → dropout 0.3 (LeNet-5\'s 5×5×16 = 400 features); level branch dense 32 (ReLU) on the 8 level features; both concatenated → dense 120 → dense 84 → softmax 6. ' + ARCHITECTURE_CHOICES + 'The averaging makes the convolutions a fifth of the work of the same network on 64×64 (`--variant plain`), which was the largest CPU cost of the predict job; see Limits for how the two compare. ' + LEVEL_BRANCH
        : 'LeNet-5 (the design card\'s family), adapted: image branch conv 5×5×6 → max-pool 2 → conv 5×5×16 → max-pool 2 → dropout 0.3; level branch dense 32 (ReLU) on the 8 level features; both concatenated → dense 120 → dense 84 → softmax 6. ' + ARCHITECTURE_CHOICES + LEVEL_BRANCH,
    `Parameters: ${e.parameters.toLocaleString('en-US')} (float32, ${(e.parameters * 4 / 1024).toFixed(0)} KiB). Trained with Adam (lr 1e-3), batch 64, sparse categorical cross-entropy, early stopping on the validation loss (best epoch ${e.bestEpoch}), backend \`${e.backend}\`, ${(e.trainingSeconds / 60).toFixed(1)} min on 2 cores.`,
    '',
    '## Data',
    '',
    `All data is simulated (docs/simulator.md): labelled fault data from real plants does not exist. Every plant-day has its own seed and date, so its weather, devices and faults are its own; splits never share a plant-day. Device faults are drawn uniformly over the six classes; normal windows, which dominate, are subsampled in training and validation (each kept with probability ${e.data.train.normalKeep}).${repeatsSentence(e.repeats)}`,
    '',
    '| split | plant-days | devices each | dates | windows |',
    '|---|---:|---:|---|---:|',
    ...(['train', 'validation', 'test'] as const).map((k) => `| ${k} | ${e.data[k].plantDays.length} | ${e.data[k].devicesPerPlantDay} | ${e.data[k].plantDays[0]?.date} … ${e.data[k].plantDays.at(-1)?.date} (seeds ${e.data[k].plantDays[0]?.seed}+) | ${e.data[k].windows.toLocaleString('en-US')} |`),
    '',
    'A window is labelled with its device\'s fault when the fault acts on at least half of its slots, normal when it acts on none; windows in between, and windows the pipeline skips (too little sun or data), are left out. The test set is 2026 weather with seeds never used in training, with all its normal windows kept.',
    '',
    '### The calibrated simulator, and conditions that are not faults',
    '',
    'Trained on the simulator as calibrated against measured 1-minute days (docs/simulator.md, Compared with measurements: lognormal cloud passages, mostly-cloudy days, smoothly drifting overcast decks, sensor noise at the measured levels, an irradiance sensor that sees its own point of the sky and the diffuse light the rows hide from the modules, the converter\'s voltage wander). That simulator is harder to read than the one the previous model (lenet5c-2026-12-02-0d6130ec: test accuracy 84.9 %, macro-F1 0.780) learnt from: a healthy array\'s current strays from its sensor by 4.4 % instead of 2.8 %, which is where small leaks hide.',
    '',
    'Frost, dew, snow, inverter standby, curtailment and clipping (detector/simulator/conditions.ts) are not in the training data (`npm run train -- --conditions none`, the default). Trained with them, their windows labelled normal and soiling and roofs on a share of the plant-days (`--conditions training`; the same seeds, 2026-12-03), the model reached test accuracy 73.0 % and macro-F1 0.638 with normal recall 0.84, against 83.5 %, 0.732 and 0.98 without (both on 96 training plant-days of the default design; lenet5c-2026-12-03-0d33d550, on 192: 85.3 %, 0.763 and 0.98): in a window, snow or frost looks like a leak or a short, and teaching the classifier to call that normal taught it to miss the faults that look alike. Leaving only their windows out of training (as ambiguous windows are) did not recover it either. So the classifier learns faults only, and the decision answers for the conditions from what a window cannot see: they strike the whole plant at once, a fault one array. The plant gate (contracts/detector.json alarms.plantGate) sets aside every window slot in which at least half the plant departs from normal together, in both engines; gold counts them (gold_daily.plantEventWindows), tells from the plant\'s own readings what each run of them was (gold_plant_condition: snow, frost, dew, standby, a power limit, or unknown; contracts/detector.json alarms.plantGate.conditions) and the API reports them as the plant\'s condition. Soiling builds up over weeks, and each array\'s own baseline follows it.',
    '',
    '### Each array against its own history',
    '',
    'In the pipeline every array is judged against its own recent healthy days (contracts/detector.json baseline): its ratio of current to irradiance, relative to the fleet\'s under the same sky, over its last seven healthy days, gives a gain by which its irradiance channel is multiplied before the CWT and the levels. Healthy arrays differ by about 3 % in that ratio (module tolerance ×1.5 %, irradiance-sensor gain ×2 %, current-sensor gain ×0.5 %, the diffuse light the rows hide from the modules 3–12 %), which looks like a small leak to ground; against their own baselines they differ by 1.7 % (`npm run eval`, its Baselines line: 3.25 % and 1.70 % over 3,777 held-out healthy device-days of the plants without a condition, 2026-12-03, lenet5c-2026-12-03-a4a3ed0c; 2.62 % and 0.54 % on the simulator before its calibration, whose sensor saw exactly the array\'s light). The model is trained on inputs corrected the same way: training plant-days are seen one day each and are mostly faulty, so each device\'s gain is computed from what causes its ratio (its photocurrent spread and sensor gains, relative to the plant\'s median; `trainingGains` in detector/dataset.ts), with an offset of +0.6 % (the pipeline\'s reference, the fleet\'s median ratio, sits below the healthy arrays\' because faulty arrays pull it down) and a spread of 0.4 % drawn per device-day, so that the model does not learn one exact level. An array without a healthy day yet is judged with gain 1 and the stricter thresholds for no history (alarms.json `fleet`).',
    '',
    '### One model for every array design',
    '',
    e.data.train.designs === 'training'
      ? `The model reads voltage and current per unit of what each array's design makes (contracts/detector.json perUnit): voltage over the array's maximum-power voltage at STC, corrected to the module temperature by the module's own coefficient, current over its maximum-power current at STC, both from the design's single-diode model as the device registry carries them. A healthy 5 × 3 array of 47-V modules, a 4 × 4 array of 173-V CdTe modules and 16 poly-Si modules in series then read within 0.1 % in voltage and 1.6 % in current of one another (test/detector/perUnit.test.ts), where their volts differ threefold. Training and validation plant-days are of another design than the default on ${pct(TRAINING_DESIGN_SHARE)} of them (detector/dataset.ts trainingDesign): ${TRAINING_LAYOUTS.strings.join('–')} strings of ${TRAINING_LAYOUTS.modulesPerString.join('–')} modules of ${TRAINING_MODULES.length} library modules (${[...new Set(TRAINING_MODULES.map(moduleTechnology))].join(', ')}), so that the model learns a short of one module in twenty as well as one in five; the test set keeps the default design only, comparable with earlier models. Held out of training, for \`npm run eval\`'s design section: ${HELD_OUT_MODULES.join(' and ')} (a poly-Si module of a technology the model trained on, and the CdTe technology it never saw).`
      : 'Trained on the default design only (`--designs default`): voltage and current per unit of its own STC values.',
    '',
    `Normalisation scales (median |coefficient| of training windows): ${Object.entries(e.normalization.scale).map(([c, v]) => `${c} ${Number(v).toPrecision(4)}`).join(', ')}. Level features standardised by their training mean and standard deviation (normalization.json).`,
    '',
    '## Results on the test set',
    '',
    `Accuracy **${pct(m.accuracy)}**, macro-F1 **${m.macroF1.toFixed(3)}** over ${m.count.toLocaleString('en-US')} windows. The issue's goal is macro-F1 ≥ 0.97 with no class below 0.93 recall; the research anchor (Aziz et al., IEEE Access 2020, CWT scalograms + CNN on a 5×3 array with MPPT) reports 73.5 % accuracy.`,
    '',
    '| class | support | precision | recall | F1 |',
    '|---|---:|---:|---:|---:|',
    ...m.perClass.map((c) => `| ${c.label} | ${c.support} | ${c.precision.toFixed(3)} | ${c.recall.toFixed(3)} | ${c.f1.toFixed(3)} |`),
    '',
    '### Confusion matrix (rows: true, columns: predicted)',
    '',
    `| | ${FAULT_CLASSES.join(' | ')} |`,
    `|---|${FAULT_CLASSES.map(() => '---:').join('|')}|`,
    ...m.confusion.map((row, r) => `| **${FAULT_CLASSES[r]}** | ${row.join(' | ')} |`),
    '',
    '![confusion matrix](images/model/confusion.svg)',
    '',
    '### Detection delay of the window model',
    '',
    `Of ${d.faultyDeviceDays} faulty device-days in the test set, ${d.detected} had a window classified as their fault after the onset (${d.undetected} never did). Time from onset to the end of that first window: median ${d.medianDelayMin.toFixed(0)} min, 90th percentile ${d.p90DelayMin.toFixed(0)} min (devices faulty from midnight count from their first daylight window). This is the window model's own figure, in wall-clock minutes to a window rather than to an alarm; the delays operators see, in daylight minutes from onset to the alarm, are in the device-day section (\`npm run eval\`).`,
    '',
    '### By fault severity',
    '',
    'Each fault\'s test windows grouped by how severe the device\'s fault is: the share called by their class, and what they were called.',
    '',
    '| fault · severity | windows | recall | called |',
    '|---|---:|---:|---|',
    ...Object.entries(e.test.bySeverity).map(
      ([g, v]) =>
        `| ${g} | ${v.windows} | ${pct(v.recall)} | ${Object.entries(v.predicted)
          .sort((a, b) => b[1] - a[1])
          .map(([c, n]) => `${c} ${n}`)
          .join(', ')} |`,
    ),
    '',
    '### Against noise level and sky',
    '',
    '| group | windows | accuracy | macro-F1 |',
    '|---|---:|---:|---:|',
    ...Object.entries({ ...e.test.byNoise, ...e.test.bySky }).map(([g, v]) => `| ${g} | ${v.windows} | ${pct(v.accuracy)} | ${v.macroF1.toFixed(3)} |`),
    '',
    '### Training history',
    '',
    '| epoch | train loss | train acc. | val. loss | val. acc. | s |',
    '|---:|---:|---:|---:|---:|---:|',
    ...e.history.map((h) => `| ${h.epoch} | ${h.trainLoss.toFixed(3)} | ${pct(h.trainAccuracy)} | ${h.valLoss.toFixed(3)} | ${pct(h.valAccuracy)} | ${h.seconds.toFixed(0)} |`),
    '',
    '## Limits, honestly',
    '',
    ...(m.perClass[0] && (m.perClass[0].recall < 0.99 || m.macroF1 < 0.97)
      ? [
          `- **Not ready for operational alerts.** ${pct(1 - m.perClass[0].recall)} of healthy windows are classified as a fault (normal recall ${m.perClass[0].recall.toFixed(3)}), most often as ${mistakenFor(m.confusion, 0)}, so day verdicts raise false alarms. Arc faults (recall ${m.perClass[5]?.recall.toFixed(3)}) are the exception. Use the pipeline, the API and the figures; do not dispatch crews on these verdicts yet.`,
        ]
      : []),
    '- What the inputs carry: the Morlet wavelet has zero mean, so the scalograms keep how the four series change, not their levels. The image-only LeNet-5 (lenet5-2026-11-21-c22ba1f0, same seeds and test set) reached macro-F1 0.510 and accuracy 55.7 %: more data (144 plant-days: 0.502) and batch normalisation (0.505) did not help, because faults that mostly shift a level at steady state — an open string (current ×2/3), a leak to ground — showed only through cross-channel amplitude ratios. The level features (each channel\'s window mean and standard deviation, a change of the shared detector contract) are what took the model to the figures above; keeping half rather than a quarter of the normal training windows then cut false alarms on healthy windows from 20 % to 6 % (macro-F1 0.726 → 0.768, measured 2026-11-21 on the same test set).',
    ...(e.test.bySky.clear && (e.test.bySky.broken || e.test.bySky.overcast)
      ? [
          `- The sky still matters: accuracy ${pct(e.test.bySky.clear.accuracy)} on clear days against ${[e.test.bySky.broken ? `${pct(e.test.bySky.broken.accuracy)} under broken clouds` : '', e.test.bySky.overcast ? `${pct(e.test.bySky.overcast.accuracy)} under overcast skies` : ''].filter(Boolean).join(' and ')}. Changing irradiance is the excitation that shows how a fault responds; on a smooth clear day there is less to see.`,
        ]
      : []),
    ...physicalLimits(e.test.bySeverity),
    ...(e.variant === 'classic'
      ? [
          '- Why 32×32: the same network on the full 64×64 window (`--variant plain`, lenet5-2026-11-21-5762a4b6, same seeds, same test set) reached macro-F1 0.768, accuracy 84.1 % and normal recall 0.938; at LeNet-5\'s own 32×32 it has a fifth of the parameters and classifies 2–2.5× as many windows per second in `npm run bench:inference` (docs/performance.md), with no loss: the scalograms are smooth over neighbouring scales and 20-s samples, and the faults\' signatures span many of both.',
        ]
      : []),
    '- **Where the device-day goals stop** (lenet5c-2026-12-03-a4a3ed0c on the calibrated simulator, `npm run eval`, 2026-12-03, the delays rerun 2026-12-04 with the two-stage decision, over the 7,322 device-days of the default design no condition acted on). *Delay*: the goal, a median of 21 daylight minutes, is one window (21.3 min). Most visible faults of a day began on an earlier day (1,520 of 2,073: a fault persists until repaired); since 2026-12-03 the alarm of such a fault is carried in from the day before when it still stood at that day\'s end (contracts/detector.json alarms.carry), and raised again at the end of the first daylight window that does not speak against it: they are named in 93.0 % of the days, at 21 min (one window) at the median and 107 at p90. Without the carry the same model measured 149 and 299 min over all faults, with 78.8 % named. The faults that begin during the day are what the carry cannot help: the 532 that began in daylight are named in 77.8 % of the days, 78 min after their onset at the median and 156 at p90 (74.8 %, 85 and 168 before a shadow was re-armed where it fell the day before, below), and the 21 that began overnight (their delay counts from dawn\'s dim windows) in 57.1 %, at 107 min (both with the blocked strings raised by the decision\'s second stage, below; 71.6 %, 82 and 210 min, and 192 min without it). With a perfect window classifier the same decision measures 21 and 80 min and names 94.2 % (85 min and 93.8 % before a shadow was re-armed where it fell, below): a fault that starts part-way through a window shows fully only in the next one, and the thresholds (calibrated for the false-alarm budget on single days: open_circuit 14.6, and string_blocked 50.0 since a leak is one of its members, nine windows at full score) need two or three clear windows of a new fault, and a new blocked string nine (five since the decision raises the group at its raise threshold, 27.2: below). Reaching 45 min at p90 needs alarms inside the window of the onset: a shorter window or a streaming decision (issue 22). *What the carry costs*: a healthy array whose false alarm still stood at the day\'s end is alarmed again the next morning until its windows read healthy; false alarms rose from 0.16 % to 0.18 % of healthy device-days when the carry came (0.16 % now; 0.17 % with a condition, soiling 0.6 % the highest) and, on the held-out CdTe array, from 0.5 % to 1.0 %. *Leaks*: the calibrated sensor strays from the array as a real one does (its own point of a cloud edge, the diffuse light the rows hide, its response drifting by 2.5 %), so a healthy array\'s ratio of current to irradiance spreads by 1.66 % against its own baseline: leaks under 0.5 A are named in 24 % of the days, of 0.5–2 A in 92 %, of 2 A and more in 82 % (55 % before a leak was a member of the blocked-string group, below). *Why a large leak reads as a blocked string* (eval/blocking.ts, the eval\'s table of leaks by blocking): a leak takes its current through the modules under its node, whose voltage then falls; a large one, or a dim sky (less current to hold that voltage up against the resistance), collapses them, and the string\'s diode keeps it from conducting where the tracker operates. At each acting window\'s measured irradiance and module temperature, the simulator\'s own array model then makes exactly what it makes with the string open. Of the default design\'s 420 visible leaks, 67 blocked their string in every acting window: with the group as it was (open string or short), 7.5 % of those days were named line_ground, 41 called a blocked string, 21 not alarmed; a further 69 blocked it in half their windows or more (56.5 % named, 24 called a blocked string). On the held-out 4 × 4 CdTe array (173-V modules: the same resistance draws over three times the current) 48 of 76 blocked their string all day, 41 of them called a blocked string. The four channels cannot tell such a leak from an open string, so since 2026-12-03 a leak is a member of the string_blocked group (contracts/detector.json alarms.groups: the alarm lists line_ground among its candidates, and the group\'s probability is the sum of the three), and the group names a leak on a day it blocked its string in at least half its acting windows (eval/decision.ts). Recalibrated (npm run calibrate, same budget) and measured on the same plan: leaks named 68.1 % → 81.9 % (blocked all day 83.6 %, in half or more 100 %, in under half 73.0 % (94.0 % before: 26 of them are now called a blocked string, which does not count), never 79.3 %), all visible faults 84.6 % → 87.3 %, one-module shorts 85.1 % → 80.3 % (more of them called a blocked string), false alarms 9 → 8 of 5,069 healthy device-days; CdTe 64.1 % → 76.0 %, poly-Si 74.7 % → 77.4 %. The price is the group\'s threshold: it gathers probability from three classes on healthy days too, so its calibrated threshold rose from 16.2 to 50.0, and a new blocked string takes nine clear windows (a perfect window classifier names 93.8 % instead of 95.9 %: open strings that start during the day). *Shadows*: 70 % named (64 % until a shadow alarmed the day before was re-armed where it fell, 2026-12-05: below); a shadow that passes in an hour often gathers too little evidence. The figures of this paragraph on shadows were measured before that change. *How much a shadow takes* (eval/shadowLoss.ts, the eval\'s table of shadows by the power they took, since 2026-12-04): the simulator\'s shadow blocks only the beam, so under a mostly cloudy sky (80–97 % cover) it takes little from the array however deep it is. Measured as a plant could (each bright window\'s power against the design\'s healthy array at its measured irradiance and temperature, the shadow\'s windows against the same day\'s windows without it), the 35 visible shadows that took under 5 % of the array\'s power (32 of them on mostly cloudy days) are named in 23 %: the healthy array\'s own ratio of current to irradiance spreads by 1.66 % against its baseline (below), so such a shadow is within a few sensor spreads of a healthy day. The 223 that took 5 % or more are named in 72 % (5–10 %: 54 %, 10–20 %: 85 %, 20 % or more: 65 %), and every one of those not named raised no alarm at all: they are the window model\'s and the evidence\'s gap, not physics. Of those missed, the 40 that took 5–20 % have their shaded windows read as normal (45 %) about as often as shaded (38 %): too little evidence. The 22 that took 20 % or more (half of them over 3–5 modules of two strings, mostly on clear days) have theirs split between partial_shading (45 %) and open_circuit (36 %): a shadow over most of a string blocks it through its bypass diodes as an open string does, and the two labels drain each other\'s evidence, so neither reaches its threshold. What would lift them: training that weights such shadows, or a group for a string blocked by a shadow as for a leak (both would need the calibration run again). *Weighting shadows in training* (tried 2026-12-04: `npm run train -- --repeat partial_shading=3`, the same seeds and 240 plant-days; not adopted): on the test windows shading recall rose 0.69 → 0.75 (45 → 49 of 65 windows), while normal windows called a shadow rose 12 → 48 of 1,811, leak recall fell 0.535 → 0.476 and macro-F1 0.764 → 0.718. A class weight moves the window model\'s prior, which the decision\'s per-label thresholds, calibrated for the false-alarm budget, already set: the shadow windows it gains are as ambiguous as the normal windows it gives up, so it was not taken on to the device-day eval. The group for a shadow that blocks its string is not tried. *Would remembering the shadow lift it?* (the eval\'s table of shadows by the day before, since 2026-12-04): the simulator\'s obstacle stays, so a shadow comes back at about the same time each day. Of the default design\'s 96 missed shadows, 40 fell on arrays whose shadow the decision had named the day before, 36 of them on a mostly cloudy day after a broken one: the same obstacle, but that day\'s shadow took too little of the array\'s power to show (above). A memory of a shadow\'s time of day, carried from day to day as the alarms are, could name at most those 40 (63.8 % → 78.9 %, still under the 90 % goal), and only by naming a shadow that day\'s readings barely show; the other 56 had no named shadow the day before. Tried since and adopted: the next point but one. A perfect window classifier names 95.9 % of the visible faults: the window model is the gap. *How much evidence the day gives* (the eval\'s table by acting windows, since 2026-12-04): the 1,451 visible faults that acted in 13 or more daylight windows are named in 93.9 % of the days, the 365 of 7–12 windows in 84.4 %, the 116 of 4–6 in 53.4 % and the 141 of 2–3 in 65.2 % (those named cross in a window or two: delay p90 43 min). The 257 that act in six windows or fewer (a fault begun late in the day, an intermittent one between its episodes, a shadow that passes) are 12 % of the visible faults and 103 of the 249 not named; a persistent one among them is named the next morning, when its alarm is carried in, which a per-day count does not see. Naming every fault that acts in seven windows or more, with the shorter ones named as now, would be 95.0 %: the goal leaves no room for a long-acting fault missed. Of the 89 long-acting ones not named, 63 were alarmed as `string_blocked`: 34 leaks of 0.5 A or more (30 of 2 A or more) that blocked their string in under half their windows, and 29 one-module shorts, which conduct (the model splits their windows between line_line and open_circuit, each the other\'s rival, so neither crosses while the group\'s sum does); 24 leaks under 2 A raised nothing. *Relabelling such an alarm by its members* (tried 2026-12-04 in the eval only: line_line when its probability summed over the group\'s run is at least ρ times open_circuit\'s and line_ground\'s): ρ = 1.5 named 86.6 % instead of 88.0 % (shorts 89.9 → 91.1 %, open strings 96.5 → 91.1 %), ρ = 2.5 changed no alarm: the windows of those shorts are split, not leaning. Not adopted.',
    '- **Raising a blocked string sooner: the decision\'s second stage** (the product\'s since 2026-12-04, in both predict jobs and the stream: contracts/detector.json alarms.raise; `npm run eval`, whose before/after table above sets it against the same model\'s one-stage decision, and `npm run eval -- --decision alarms-one-stage` measures it without). A new blocked string reads as all three members of string_blocked at once, so the group\'s evidence grows at full score from its first window; its threshold (50.0: nine such windows) is set by healthy arrays whose low current gives line_ground probability that the group sums. The second stage raises the group at a lower evidence and lets the day\'s decision give the alarm its label (a class that crosses its threshold later that day names it, else the group), so the classes are named as before and the raise moves forward. The raise threshold is calibrated on the validation plant-days for the same budget (`npm run calibrate`, alarmCalibration.ts calibrateRaise: the lowest level that alarms no more healthy days than the budget allows; the thresholds had spent it, so it lands just above every healthy day they leave quiet: 27.2 for arrays with their own baseline, 27.7 without). Measured with the arrays\' baselines built from its own alarms: delay p90 187.7 → 128.0 min (median 21.3 either way), visible faults named 87.3 → 88.0 %, false alarms 8 of 5,069 healthy device-days either way (0.17 % with a condition, either way); the blocked strings (open strings, shorts of two modules) that begin in daylight named 64.6 → 82.3 %, 209 → 118 min after their onset at the median and 301 → 173 at p90, and those from an earlier day whose alarm was not carried in, p90 192 → 107 min. Held-out designs: CdTe 76.0 → 78.0 % named, poly-Si 77.4 → 78.2 % (false alarms 2 → 3 of 814). The delay counts to when the alarm first named the fault: a one-module short raised as the group, which does not name it, counts to when line_line did. Gold keeps both moments (gold_daily alarmRaisedMs; alarmRaisedAs, the group, when the label came later, and alarmLabelledMs, when the decision named it, null for a group it never named; the API\'s raisedAs and labelled). Scored as the stream\'s early tier scores its windows (`npm run eval -- --conditions none --designs none --scoring end-reflect --no-docs`, both decisions, 7,200 counted device-days): delay p90 191.3 → 128.0 min, named 86.5 → 87.2 %, faults begun in daylight p90 208 → 152 min, false alarms 7 of 5,069 either way, and 97.2 % of the alarmed device-days alike the batch\'s (96.7 % in one stage). The stream\'s early tier publishes a blocked string at its raise, as the group; its final tier waits until the day\'s decision labels it (or the day ends), so that its alarm stays the batch\'s (issue 22).',
    '- **A shadow comes back where it fell: re-armed the next day** (the product\'s since 2026-12-05, in both predict jobs and the stream: contracts/detector.json alarms.recur; `npm run eval`, whose before/after table above sets it against the same model\'s decision without it, `npm run eval -- --decision alarms-no-recurrence`). The obstacle behind a shadow stays, so its shadow falls on the same modules at about the same solar time the next sunny day; the carry cannot keep such an alarm, because the shadow has passed by the day\'s end. So the baseline row of a day now keeps its alarm\'s onset and raise (device_baseline dayAlarmOnsetMs, dayAlarmRaisedMs, tables contract 11), and the next day raises partial_shading\'s evidence to 0.8 of its threshold before each window from a window before that onset to a window after that raise, 24 h later: one window there in which a shadow is about four times as likely as its strongest rival (the own-baseline threshold 6.8) names it again; healthy windows drain it, and another fault that reads is named as it reads. *Chosen apart from this evaluation*: on tuning plant-days of their own (`npm run eval -- --seed 6000 --dates 2025-03-20,2025-07-20,2025-10-20 --conditions soiling,dew --designs none`, 14,000 device-days, the decision with the share and span as environment variables in a throw-away build), the share 1 named 97 of 154 visible shadows for 12 false alarms on the 1,714 healthy days under soiling or dew, 0.9 96 for 11, 0.8 94 for 9, 0.7 93 for 9, 0.5 92 for 8, without it 86 for 8 (3 of 2,565 healthy days without a condition alarmed in every variant, every other fault named as without it); with the share 1, a span of two windows either side named one more shadow than one window for two more false alarms (these tuning runs kept the arrays\' baselines as without the re-arming). 0.8 and one window either side were then measured once on this evaluation\'s plan. *Measured* (the same model and thresholds; the arrays\' baselines built from the decision\'s own alarms): shadows named 63.8 → 69.8 % (169 → 185 of 265), all visible faults 88.0 → 88.8 %, every other class unchanged; false alarms 8 of 5,069 healthy device-days either way, 10 → 12 of 5,832 under a condition that is not a fault (soiling 0.6 → 0.7 %, clipping 0.1 → 0.2 %: a false shadow alarm on one day re-armed the next). The shadows whose shadow was named the day before: 52.9 → 73.4 % named (45 of 85 → 69 of 94); those that took under 5 % of the array\'s power: 23 → 37 %, 5 % or more: 72 → 77 %. Held-out designs: poly-Si 78.2 → 80.3 % (shadows 49 → 60 %), CdTe 78.0 → 77.7 % (its shadows, 16 of 44, unchanged: most of its missed shadows fell on its mostly cloudy day and took under 2 % of its power; one open string of a device alarmed for a shadow the day before was named as a shadow instead), false alarms unchanged (8 and 3). *What it does not do*: it names a shadow only after one day named it, and the first day of a shadow is as before; a shadow under a mostly cloudy sky that takes a few per cent of the array still reads as normal. The operator sees the same shadow alarm every sunny day until the obstacle is gone (the API\'s /faults says `recurs: true`), which is what the issue asks of a persistent fault.',
    '- **Intermittent arcs: a slower drain tried (2026-12-05, not adopted).** The 11 visible arcs not named on this plan are all intermittent, 8 of them acting in 2–5 daylight windows: an arc window scores +6 (clipped) and the healthy window after it −6, so bursts apart drain each other. Clipping arc_fault\'s negative scores at −d instead of −6 (an experiment, not in the contract) and calibrating again (`npm run calibrate`, the validation plant-days): d = 2 left both arc thresholds as they were (11.7 own, 9.9 fleet) and named 2 and 5 more visible faults there; d = 1.5 and 1 raised them (to 10.7 and 13.1; 14.0 and 13.1). On the tuning plant-days of seed 6000 (197 visible arcs) the product names 192, d = 2 and d = 1.5 193, d = 1 191 (it named 6 more leaks: fewer of their windows lost to an arc): one arc in 200 is within the run-to-run spread of such a choice, so the contract keeps one clip. What would lift intermittent arcs is the window model: PV-000380 of 2026-02-15 (broken sky, no history), for one, reads as an arc (0.89–1.00) in 7 windows and as normal (0.84–0.99) in 10 others where its arc acted in 7 to 41 of their 64 slots.',
    '- **What generalises to other array designs, and what does not** (the same run: one plant of each held-out design, three counted days of 400 arrays after four warm-up days, its module absent from training; issue 20\'s goal is each within 2 points of the default design). *Measured on the same days* (since 2026-12-05 each design plant has a twin in `npm run eval`: the same seed, dates and skies, so the same weather, with the default design\'s arrays): the plan\'s plants span six seasons and every sky, a design plant three June days (one of them mostly cloudy, where a shadow takes too little to show), so a design set against the plan mixes what the design costs with what its days cost. Against its twin the 16 × 2 poly-Si plant names 80.3 % of its visible faults against 83.4 % (−3.1 points; −8.4 against the plan\'s 88.8 %) with 0.2 % false alarms against 0.4 %, and the 4 × 4 CdTe plant 78.2 % against 81.1 % (−2.8; −10.5 against the plan) with no false alarm on either: the twins themselves are 5.3 and 7.7 points under the plan. *Each design against its own datasheet model* (contracts/detector.json perUnit.shape, tables contract 12, since 2026-12-05): dividing by the STC values and correcting the voltage linearly for heat left what each technology\'s maximum-power point does with light and heat: a healthy CdTe array\'s per-unit voltage sat 3 % above the default design\'s at dawn and dusk (its Vmp falls 1 % from 1000 to 100 W/m², the default module\'s 4 %), and the model read a shadow there: on the CdTe plant\'s three days its healthy arrays\' windows called a shadow with probability above 0.5 numbered 106, 308 and 189, its twin\'s 18, 27 and 16, and all 8 of its false alarms (1.0 %) were shadows. Each design\'s per-unit voltage and current are now mapped onto the default design\'s at each slot\'s irradiance and module temperature, by coefficients fitted from both modules\' single-diode models and carried in the registry (a healthy array at its maximum-power point reads within 0.1 % of the default design\'s where the division alone left 5.7 % on CdTe and 1.9 % on poly-Si). The model was not retrained (lenet5c-2026-12-03-a4a3ed0c read its other-design training days unmapped; a retraining reads them mapped), and the default design\'s inputs are unchanged (its shapes are zeros): every figure of the default design is as it was. Measured on the same plan (`npm run eval`): CdTe false alarms 8 → 0 of 810, named 77.7 → 78.2 % (open strings 66 → 70 of 81, shorts 67 → 71 of 75, arcs 69 → 71 of 78, leaks 57 → 55 of 76, shadows 16 → 10 of 44: some of the shadows it named were the same misreading, but on its clear day real shadows were lost too, 10 → 7 of the 12 that took 10–20 % of the power, where its twin names 7 of 9), delay median 59 → 21 min; poly-Si false alarms 3 → 2 of 814, named 80.3 % either way. On another pair of plants (`--dates 2026-06-15 --conditions none`, seeds 5001 and 5002, with a throw-away build that interpolated the same model ratios from a table instead of the fit): CdTe false alarms 12 → 7 of 796 and named 86.3 → 87.3 % (its twin 86.8 %), poly-Si 10 → 1 of 852 and 87.0 → 88.5 % (its twin 88.9 %). *What does generalise*: before the model read per-unit inputs, the plant gate set every such plant aside all day and named nothing (0 of 371 and 0 of 339 visible faults, measured 2026-12-03 with lenet5c-2026-12-03-0d33d550). On the poly-Si plant arcs (99 %), open strings (96 %) and shadows (63 %, its twin 55 %) are named as on its twin; on the CdTe plant shorts (95 %, its twin 84 %) and leaks (72 %, 74 %). A leak takes its node\'s voltage over its resistance, and a CdTe module makes 173 V where the default one makes 47 V, so the same 20–200 Ω draws several times a CdTe string\'s 2.2 A and most of those strings are dead: 48 of its 76 visible leaks blocked their string in every acting window; any short of one of its four modules blocks the string too (3 × 214 V < 4 × 173 V; decision.ts shortBlocksString). *What does not, yet*: on the poly-Si plant shorts (79 % against 93 %) and leaks (67 % against 79 %: 15 of 90 raised nothing); on the CdTe plant open strings (86 % against 95 %: 6 of 81 still named a shadow) and arcs (91 % against 97 %: 7 of 78 raised nothing), and shadows (23 % against 41 %, most of its missed ones on the mostly cloudy day). What would lift it: a retraining on the mapped inputs, training designs with few high-voltage modules per string (no library module but the CdTe one has over 90 V) and leaks scaled to the string\'s current; the held-out section and its twins stay in every `npm run eval` to measure it.',
    '- **Conditions that are not faults** (the same run, three counted days per condition on a plant of its own, 789–887 healthy device-days each): the plant gate keeps every one within the false-alarm budget: frost 0.0 %, dew 0.0 %, snow 0.0 %, soiling 0.4 % (3 of 835), standby 0.4 %, curtailment 0.1 %, clipping 0.1 %, 0.1 % over all of them (from 80–100 % with the model before the gate). One plant-day per condition, as until 2026-12-03, could not tell soiling\'s share from the sky\'s (lenet5c-2026-12-03-0d33d550\'s 4 soiling alarms all fell on its broken day). Its spreading to the neighbouring slots (extendShare) is what holds clipping: arrays start and stop clipping minutes apart, so the windows at its edges find less than half the plant off normal (4.7 % of the clipping days alarmed without it). A plant event hides faults as well as weather: under snow no fault is named (the whole plant is set aside), on a clear soiling day whose plant-wide loss set most of the day aside few are, and a fault that starts during curtailment waits for it to end (67.5 % of the visible faults under a condition are named, 78.8 % without). *What the condition was*: the plant\'s own readings tell it (gold_plant_condition, contracts/detector.json alarms.plantGate.conditions: current per irradiance and voltage against the rest of the day, module temperature, morning or not), which one array\'s window cannot: on the eval\'s condition plant-days all 116 set-aside window slots of frost, snow, curtailment and clipping were named as their condition (frost 10, snow 49, power limit 57; dew and standby set no slot aside), and 1 slot of the days without a condition was called unknown. Soiling cannot be named: a loss the whole plant shares all day has no rest of the day to be told against, so its set-aside slots (20 on its clear day, 7 on its broken one) are reported as unknown. Thresholds set on simulated days: a real plant\'s frost or standby may read otherwise. Curtailment and clipping are one kind (power_limit) until the design\'s converter rating is known (issue 20). Stuck channels (any of the four readings frozen for 20–120 min, on 3 % of the device-days: detector/simulator/sensors.ts) are in every evaluated day; not simulated: a temperature sensor detached for days (reading the air) and short voltage dips, which issue 23 saw on a rooftop.',
    '- Simulated data only: the figures say how well the model separates the simulator\'s physics, not field performance. Retrain on labelled field data as soon as there is some.',
    '',
  ];
  writeCardKeepingEval(lines.join('\n'), docs);
}
