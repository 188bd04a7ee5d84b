/**
 * One local run at a time per output folder. Runs into one --out share its topic
 * (each resets it for its own simulated day) and its S3 store: a second run reset
 * the topic under the first, whose ingest then read nothing. A run holds
 * `<out>/run.lock` (its pid, day and start time) from before it touches the topic
 * until its state machine has finished; another run into the folder is refused,
 * naming the holder. A lock whose pid no longer runs (a run killed with -9, a
 * crash, Ctrl-C) is taken over.
 */
import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RUN_LOCK_FILE = 'run.lock';

interface Holder {
  pid: number;
  token: string;
  date: string;
  startedAt: string;
}

export interface RunLock {
  readonly file: string;
  /** Deletes the lock if it is still this run's. */
  release(): void;
}

export class RunLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: Holder,
  ) {
    super(
      `${dir} is in use by another local run (pid ${holder.pid}, day ${holder.date}, started ${holder.startedAt}; lock ${join(dir, RUN_LOCK_FILE)}): ` +
        'two runs into one folder would reset each other\'s topic. Wait for it to finish, or give this run another --out.',
    );
    this.name = 'RunLockedError';
  }
}

const errorCode = (err: unknown) => (err as NodeJS.ErrnoException).code;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM'; // it exists, under another user
  }
}

/** The lock's text and holder, or null when there is no lock (any more). */
function readLock(file: string): { text: string; holder: Holder } | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    throw err;
  }
  let holder: Partial<Holder> | null = null;
  try {
    holder = JSON.parse(text) as Partial<Holder>;
  } catch {
    // reported below
  }
  if (!holder || !Number.isSafeInteger(holder.pid) || holder.pid! <= 0 || typeof holder.token !== 'string' || typeof holder.date !== 'string' || typeof holder.startedAt !== 'string') {
    throw new Error(`${file} is not a lock written by a local run (${JSON.stringify(text.slice(0, 80))}); delete it if no run is using the folder`);
  }
  return { text, holder: holder as Holder };
}

/**
 * Moves a dead run's lock out of the way. Renaming first and checking what was moved
 * keeps a run from deleting a lock that another run took over in the meantime: that
 * one is put back.
 */
function removeStale(file: string, staleText: string): void {
  const aside = `${file}.stale-${randomUUID()}`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return; // another run moved it first
    throw err;
  }
  try {
    if (readFileSync(aside, 'utf8') !== staleText) linkSync(aside, file);
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err; // a third run holds the lock by now: it stays the holder
  } finally {
    unlinkSync(aside);
  }
}

/** Takes `<dir>/run.lock` for a run of `date`, or throws RunLockedError naming the run that holds it. */
export function acquireRunLock(dir: string, date: string): RunLock {
  const file = join(dir, RUN_LOCK_FILE);
  const mine: Holder = { pid: process.pid, token: randomUUID(), date, startedAt: new Date().toISOString() };
  const text = JSON.stringify(mine);
  // written whole under a name of its own, then linked into place (fails if a lock exists):
  // the lock is never seen half-written, and taking it is one atomic step
  const draft = `${file}.${mine.token}`;
  writeFileSync(draft, text);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(draft, file);
        return { file, release: () => (readLock(file)?.text === text ? unlinkSync(file) : undefined) };
      } catch (err) {
        if (errorCode(err) !== 'EEXIST') throw err;
      }
      const held = readLock(file);
      if (held === null) continue; // released in the meantime
      if (isRunning(held.holder.pid)) throw new RunLockedError(dir, held.holder);
      removeStale(file, held.text);
    }
    throw new Error(`${file}: other runs kept taking the lock; try again`);
  } finally {
    unlinkSync(draft);
  }
}
