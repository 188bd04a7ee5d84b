/**
 * Which day a run processes. A scheduled execution carries the scheduled time and
 * processes the plant-local day before it; an execution started by hand with
 * {"date": "YYYY-MM-DD"} processes that day, if it is over and its late readings are
 * in. Resolved once, at the start, into {date, startMs, endMs, runId}, which both jobs
 * receive, the earliest instant the jobs may start (the state machine waits for it)
 * and the jobs' EMR client tokens.
 */
import { earliestRunStartMs, isValidDate, isValidRunId, LATENESS_MS, latestRunnableDate, localDateTime, plantDayWindow, previousPlantDay, type DayWindow } from '../../contracts';
import { clientToken } from './clientToken';

export interface RunWindow {
  date: string;
  startMs: number;
  endMs: number;
  /** names this run's output folders (run=<runId>); unique per execution */
  runId: string;
  trigger: 'schedule' | 'manual';
  /** no job of the day starts before: the end of the day plus the lateness (RFC 3339, for the Wait state) */
  earliestStartIso: string;
  /** StartJobRun's ClientToken of each job, the same on every retry in this execution */
  clientTokens: { ingest: string; predict: string };
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

/** Whole seconds, rounded up, in the RFC 3339 form Step Functions' Wait state takes. */
function isoSeconds(epochMs: number): string {
  return new Date(Math.ceil(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function runWindow(day: DayWindow, executionName: string, trigger: RunWindow['trigger']): RunWindow {
  return {
    ...day,
    runId: runIdOf(executionName),
    trigger,
    earliestStartIso: isoSeconds(earliestRunStartMs(day)),
    clientTokens: { ingest: clientToken('ingest', executionName), predict: clientToken('predict', executionName) },
  };
}

export function resolveRunWindow(input: unknown, executionName: string, timeZone: string, nowMs: number): RunWindow {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidRunInput(`the execution input must be an object like {"date": "2026-11-18"}, got ${JSON.stringify(input)}`);
  }
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!ALLOWED_KEYS.includes(key)) throw new InvalidRunInput(`unknown input key ${JSON.stringify(key)}: a rerun takes only {"date": "YYYY-MM-DD"}`);
  }
  if ('date' in record) {
    const date = record.date;
    if (typeof date !== 'string' || !isValidDate(date)) {
      throw new InvalidRunInput(`date: ${JSON.stringify(date)} is not a calendar date in YYYY-MM-DD form`);
    }
    const window = plantDayWindow(date, timeZone);
    const latest = latestRunnableDate(nowMs, timeZone);
    if (window.endMs > nowMs) {
      throw new InvalidRunInput(`date: ${date} is not over yet in ${timeZone}; the latest day that can be processed is ${latest}`);
    }
    // A rerun fails rather than waits: whoever started it is there to read why.
    const earliest = earliestRunStartMs(window);
    if (earliest > nowMs) {
      throw new InvalidRunInput(
        `date: ${date} cannot be processed before ${isoSeconds(earliest)} (${localDateTime(earliest, timeZone)} in ${timeZone}): its readings may be published up to ${LATENESS_MS / 3_600_000} h after it ends; the latest day that can be processed now is ${latest}`,
      );
    }
    return runWindow(window, executionName, 'manual');
  }
  if ('scheduledTime' in record) {
    const t = typeof record.scheduledTime === 'string' ? Date.parse(record.scheduledTime) : Number.NaN;
    if (!Number.isFinite(t)) throw new InvalidRunInput(`scheduledTime: ${JSON.stringify(record.scheduledTime)} is not an ISO-8601 time`);
    // Started too early (a schedule on a DST day, or by hand), it waits for earliestStartIso in the state machine.
    return runWindow(previousPlantDay(t, timeZone), executionName, 'schedule');
  }
  throw new InvalidRunInput('the execution input needs {"date": "YYYY-MM-DD"} to rerun a day (scheduled runs carry {"scheduledTime": …})');
}
