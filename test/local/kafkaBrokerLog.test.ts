/** Each start of the test broker reads its failure from its own log: an earlier start's is moved aside, not appended to, and only the newest few are kept. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EARLIER_LOGS_KEPT, setAsideLog } from '../../local/kafkaBroker';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'broker-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('moves an earlier start’s log to the next number and keeps it', () => {
  const log = join(dir, 'broker.log');
  writeFileSync(log, 'first start: java.net.BindException: Address already in use\n');
  expect(setAsideLog(log)).toBe(`${log}.1`);
  writeFileSync(log, 'second start\n');
  expect(setAsideLog(log)).toBe(`${log}.2`);
  expect(readdirSync(dir).sort()).toEqual(['broker.log.1', 'broker.log.2']);
  expect(readFileSync(`${log}.1`, 'utf8')).toContain('BindException');
  expect(readFileSync(`${log}.2`, 'utf8')).toBe('second start\n');
});

it(`keeps only the ${EARLIER_LOGS_KEPT} newest earlier logs, numbered on past the highest`, () => {
  const log = join(dir, 'broker.log');
  for (let start = 1; start <= EARLIER_LOGS_KEPT + 3; start++) {
    writeFileSync(log, `start ${start}\n`);
    expect(setAsideLog(log)).toBe(`${log}.${start}`);
  }
  const kept = readdirSync(dir).sort((a, b) => Number(a.split('.').at(-1)) - Number(b.split('.').at(-1)));
  expect(kept).toHaveLength(EARLIER_LOGS_KEPT);
  expect(kept.at(-1)).toBe(`broker.log.${EARLIER_LOGS_KEPT + 3}`);
  expect(readFileSync(join(dir, kept.at(-1)!), 'utf8')).toBe(`start ${EARLIER_LOGS_KEPT + 3}\n`);
  expect(readFileSync(join(dir, kept[0]!), 'utf8')).toBe('start 4\n'); // of KEPT + 3 starts, the newest KEPT: from the 4th
});

it('leaves files that only look like its logs alone', () => {
  const log = join(dir, 'broker.log');
  writeFileSync(join(dir, 'broker.log.old'), 'kept\n');
  writeFileSync(join(dir, 'broker.log.1'), 'earlier\n');
  writeFileSync(log, 'now\n');
  expect(setAsideLog(log)).toBe(`${log}.2`);
  expect(readdirSync(dir).sort()).toEqual(['broker.log.1', 'broker.log.2', 'broker.log.old']);
});

it('does nothing on a first start', () => {
  expect(setAsideLog(join(dir, 'broker.log'))).toBeUndefined();
  expect(readdirSync(dir)).toEqual([]);
});
