/**
 * Which day a run processes. A scheduled execution carries the scheduled time and
 * processes the plant-local day before it; an execution started by hand with
 * {"date": "YYYY-MM-DD"} processes that day, if it is over. Resolved once, at the
 * start, into {date, startMs, endMs, runId}, which both jobs receive.
 */
import { isValidDate, isValidRunId, plantDayWindow, previousPlantDay, localDate } from '../../contracts';

export interface RunWindow {
  date: string;
  startMs: number;
  endMs: number;
  /** names this run's output folders (run=<runId>); unique per execution */
  runId: string;
  trigger: 'schedule' | 'manual';
}

/** The error Step Functions sees (its name is the error the state machine catches). */
export class InvalidRunInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRunInput';
  }
}

const ALLOWED_KEYS = ['date', 'scheduledTime'];

/** A run id from the execution name: its letters, digits, '-' and '_', never empty. */
export function runIdOf(executionName: string): string {
  let id = executionName.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[-_]+/, '').slice(0, 80);
  if (!isValidRunId(id)) {
    let h = 0;
    for (const ch of executionName) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
    id = `run-${h.toString(36)}`;
  }
  return id;
}

export function resolveRunWindow(input: unknown, executionName: string, timeZone: string, nowMs: number): RunWindow {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidRunInput(`the execution input must be an object like {"date": "2026-11-18"}, got ${JSON.stringify(input)}`);
  }
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!ALLOWED_KEYS.includes(key)) throw new InvalidRunInput(`unknown input key ${JSON.stringify(key)}: a rerun takes only {"date": "YYYY-MM-DD"}`);
  }
  const runId = runIdOf(executionName);
  if ('date' in record) {
    const date = record.date;
    if (typeof date !== 'string' || !isValidDate(date)) {
      throw new InvalidRunInput(`date: ${JSON.stringify(date)} is not a calendar date in YYYY-MM-DD form`);
    }
    const window = plantDayWindow(date, timeZone);
    if (window.endMs > nowMs) {
      const latest = localDate(previousPlantDay(nowMs, timeZone).startMs, timeZone);
      throw new InvalidRunInput(`date: ${date} is not over yet in ${timeZone}; the latest day that can be processed is ${latest}`);
    }
    return { ...window, runId, trigger: 'manual' };
  }
  if ('scheduledTime' in record) {
    const t = typeof record.scheduledTime === 'string' ? Date.parse(record.scheduledTime) : Number.NaN;
    if (!Number.isFinite(t)) throw new InvalidRunInput(`scheduledTime: ${JSON.stringify(record.scheduledTime)} is not an ISO-8601 time`);
    return { ...previousPlantDay(t, timeZone), runId, trigger: 'schedule' };
  }
  throw new InvalidRunInput('the execution input needs {"date": "YYYY-MM-DD"} to rerun a day (scheduled runs carry {"scheduledTime": …})');
}
