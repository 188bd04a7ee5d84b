/**
 * The prediction API as the page sees it: the only data path (docs/api.openapi.yaml).
 * One code path: the base URL comes from config.json and the fetch is either the
 * browser's own (npm start) or one that signs with SigV4 (in AWS, auth.ts), injected
 * by main.ts as the config says.
 */

export interface Days {
  timeZone: string;
  days: string[];
}

/** A span of time the plant gate set aside: the whole plant off normal at once (a condition, not a fault), and what the plant's readings say it was. */
export interface PlantEvent {
  kind: 'standby' | 'power_limit' | 'snow' | 'frost' | 'dew' | 'unknown';
  start: string;
  end: string;
  windows: number;
}

export interface Fleet {
  date: string;
  runId: string;
  count: number;
  /** window slots the plant gate set aside this day (0: an ordinary day) */
  plantEventWindows: number;
  /** the same as spans of time with what they were (gold_plant_condition); null for a day predicted before that table existed */
  plantConditions: PlantEvent[] | null;
  /** every alarm label and the fault classes it stands for */
  labels: Record<string, string[]>;
  devices: {
    deviceId: string[];
    verdict: (string | null)[];
    onset: (string | null)[];
    raised: (string | null)[];
    /** since when each alarm's fault has been alarmed (an earlier day's onset when the alarm continues one carried in); absent from an API before it, null when not recorded */
    openSince?: (string | null)[];
    confidence: (number | null)[];
    judgedAgainst: ('own-baseline' | 'fleet')[];
    predictedWindows: number[];
    /** each array's design as the day's registry named it; absent from an API before it, null for a day predicted before designs were recorded */
    design?: ({ name: string; default: boolean } | null)[];
  };
}

export interface Alarm {
  label: string;
  candidates: string[];
  onset: string;
  raised: string;
  /** the group it was raised as before the day's evidence named its class, and when it did (contracts/detector.json alarms.raise; absent from an API before them) */
  raisedAs?: string | null;
  labelled?: string | null;
  /** since when the array has been alarmed for this fault (absent from an API before it, null when not recorded) */
  openSince?: string | null;
  confidence: number;
  judgedAgainst: 'own-baseline' | 'fleet';
}

export interface Window {
  index: number;
  start: string;
  end: string;
  status: 'predicted' | 'skipped';
  skipReason: string | null;
  label: string | null;
  confidence: number | null;
  probabilities: Record<string, number> | null;
}

export interface Predictions {
  deviceId: string;
  date: string;
  /** design: the array design it was judged as (null: a day predicted before gold recorded designs) */
  summary: { verdict: string | null; alarm: Alarm | null; windows: number; predicted: number; modelVersion: string; design?: { name: string; default: boolean } | null };
  windows: Window[];
}

export type Channel = 'voltage' | 'current' | 'temperature' | 'irradiance';

export interface Series {
  deviceId: string;
  date: string;
  start: string;
  stepSeconds: number;
  samples: number;
  units: Record<Channel, string>;
  series: Record<Channel, (number | null)[]>;
}

/** One window's model input (GET /devices/{id}/scalogram): the float32 tensor the classifier read, HWC. */
export interface Scalogram {
  deviceId: string;
  date: string;
  modelVersion: string;
  window: Window;
  channels: Channel[];
  wavelet: string;
  scales: number[];
  stepSeconds: number;
  shape: [number, number, number];
  layout: 'HWC';
  encoding: 'float32le-base64';
  values: string;
  baselineGain: number | null;
  judgedAgainst: 'own-baseline' | 'fleet';
  levels: Record<string, number>;
}

/** An answer other than 200, with the API's own message (docs/api.openapi.yaml, Error). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What the API client needs of fetch: a GET of a URL with headers (the browser's fetch, or a signing one). */
export type ApiFetch = (url: string, init: { headers: Record<string, string> }) => Promise<Response>;

const q = encodeURIComponent;

/** The API's five reads for the page, against base ("" = this origin) through fetchFn. */
export function createApi(base: string, fetchFn: ApiFetch) {
  async function get<T>(path: string): Promise<T> {
    const r = await fetchFn(`${base}${path}`, { headers: { accept: 'application/json' } });
    if (!r.ok) {
      const body = (await r.json().catch(() => null)) as { error?: { message?: string }; message?: string } | null;
      // API Gateway's own refusals (403 of a bad signature) carry { message }
      throw new ApiError(r.status, body?.error?.message ?? body?.message ?? `${r.status} ${r.statusText}`);
    }
    return (await r.json()) as T;
  }
  return {
    days: () => get<Days>('/days'),
    fleet: (date: string) => get<Fleet>(`/fleet?date=${q(date)}`),
    predictions: (deviceId: string, date: string) => get<Predictions>(`/devices/${q(deviceId)}/predictions?date=${q(date)}`),
    series: (deviceId: string, date: string) => get<Series>(`/devices/${q(deviceId)}/series?date=${q(date)}`),
    scalogram: (deviceId: string, date: string, window: number) => get<Scalogram>(`/devices/${q(deviceId)}/scalogram?date=${q(date)}&window=${window}`),
  };
}

export type Api = ReturnType<typeof createApi>;
