/** Each start of the test broker reads its failure from its own log: an earlier start's is moved aside, not appended to. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setAsideLog } from '../../local/kafkaBroker';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'broker-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('moves an earlier start’s log to the first free number and keeps every earlier one', () => {
  const log = join(dir, 'broker.log');
  writeFileSync(log, 'first start: java.net.BindException: Address already in use\n');
  expect(setAsideLog(log)).toBe(`${log}.1`);
  writeFileSync(log, 'second start\n');
  expect(setAsideLog(log)).toBe(`${log}.2`);
  expect(readdirSync(dir).sort()).toEqual(['broker.log.1', 'broker.log.2']);
  expect(readFileSync(`${log}.1`, 'utf8')).toContain('BindException');
  expect(readFileSync(`${log}.2`, 'utf8')).toBe('second start\n');
});

it('does nothing on a first start', () => {
  expect(setAsideLog(join(dir, 'broker.log'))).toBeUndefined();
  expect(readdirSync(dir)).toEqual([]);
});
