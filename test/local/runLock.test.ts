/**
 * The lock that keeps two local runs out of one --out folder (local/runLock.ts): a
 * live holder, in this process or another, refuses the next run with its pid; a
 * holder that no longer runs is taken over; anything else in the lock's place is
 * named, not overwritten.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireRunLock, RUN_LOCK_FILE, RunLockedError } from '../../local/runLock';

const REPO = join(__dirname, '..', '..');
let root: string;
beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'run-lock-'))));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const folder = (name: string) => mkdtempSync(join(root, `${name}-`));

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the local run lock', () => {
  it('refuses a second run while the first holds the folder, and lets the next one in after release', () => {
    const dir = folder('same-process');
    const lock = acquireRunLock(dir, '2026-06-20');
    expect(JSON.parse(readFileSync(join(dir, RUN_LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, date: '2026-06-20' });
    expect(() => acquireRunLock(dir, '2026-06-21')).toThrow(RunLockedError);
    expect(() => acquireRunLock(dir, '2026-06-21')).toThrow(`${dir} is in use by another local run (pid ${process.pid}, day 2026-06-20, started `);
    lock.release();
    expect(existsSync(join(dir, RUN_LOCK_FILE))).toBe(false);
    acquireRunLock(dir, '2026-06-21').release();
    // nothing but the lock is ever left in the folder
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a run while a run in another process holds the folder', async () => {
    const dir = folder('other-process');
    const script = `const { acquireRunLock } = require(${JSON.stringify(join(REPO, 'local', 'runLock.ts'))});
acquireRunLock(process.argv[1], '2026-06-19');
process.stdout.write('held\\n');
process.stdin.once('data', () => process.exit(0));`;
    const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', script, dir], { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
      });
      expect(() => acquireRunLock(dir, '2026-06-20')).toThrow(`${dir} is in use by another local run (pid ${child.pid}, day 2026-06-19`);
    } finally {
      child.stdin.write('x');
      await new Promise((r) => child.once('exit', r));
    }
    // it died without releasing: its lock is stale and taken over
    acquireRunLock(dir, '2026-06-20').release();
  }, 60_000);

  it('takes over the lock of a run that died', () => {
    const dir = folder('stale');
    const pid = deadPid();
    writeFileSync(join(dir, RUN_LOCK_FILE), JSON.stringify({ pid, token: 'x', date: '2026-06-18', startedAt: '2026-06-19T01:00:00.000Z' }));
    const lock = acquireRunLock(dir, '2026-06-20');
    expect(JSON.parse(readFileSync(join(dir, RUN_LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, date: '2026-06-20' });
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a file in the lock\'s place that no run wrote is named, and left alone', () => {
    const dir = folder('foreign');
    writeFileSync(join(dir, RUN_LOCK_FILE), 'my notes');
    expect(() => acquireRunLock(dir, '2026-06-20')).toThrow(`${join(dir, RUN_LOCK_FILE)} is not a lock written by a local run ("my notes"); delete it if no run is using the folder`);
    expect(readFileSync(join(dir, RUN_LOCK_FILE), 'utf8')).toBe('my notes');
    expect(readdirSync(dir)).toEqual([RUN_LOCK_FILE]);
  });
});
