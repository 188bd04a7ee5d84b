/**
 * Lambda: the first state of the daily state machine. Not a poller: it runs once,
 * in milliseconds. PLANT_TIME_ZONE comes from the stack config.
 */
import { resolveRunWindow, type RunWindow } from './window';

export interface RunWindowEvent {
  input: unknown;
  executionName: string;
}

export async function handler(event: RunWindowEvent, now: () => number = Date.now): Promise<RunWindow> {
  const timeZone = process.env.PLANT_TIME_ZONE;
  if (!timeZone) throw new Error('PLANT_TIME_ZONE is not set on the function');
  return resolveRunWindow(event.input, event.executionName, timeZone, now());
}
