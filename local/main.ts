/**
 * `npm start` — the local run of the daily pipeline (issue 9 builds it: simulated
 * plant → local topic → real state machine → local jobs → gold → API on loopback).
 * Until then it shows, on real code, the contract every stage will share.
 */
import { decodeReading, encodeReading, FAULT_CLASSES, validateReading, type Reading } from '../contracts';

function main(): void {
  console.log('PV fault detection — local run');
  console.log('The local pipeline is not built yet: this run only exercises the shared data contracts.\n');

  const reading: Reading = { deviceId: 'PV-000001', timestamp: Date.UTC(2026, 10, 19, 11, 0, 0), voltage: 152.4, current: 21.3, temperature: 41.5, irradiance: 812 };
  const bytes = encodeReading(reading);
  console.log(`reading ${JSON.stringify(reading)}`);
  console.log(`  Avro value (${bytes.length} bytes, no registry header): ${bytes.toString('hex')}`);
  console.log(`  decoded back: ${JSON.stringify(decodeReading(bytes))}`);

  const bad = { ...reading, current: Number.NaN, irradiance: 2500, power: 3246 };
  const result = validateReading(bad);
  console.log('\na bad reading is rejected with a reason per field:');
  if (!result.ok) for (const issue of result.issues) console.log(`  [${issue.reason}] ${issue.message}`);

  console.log(`\nfault classes (model output order): ${FAULT_CLASSES.join(', ')}`);
}

main();
