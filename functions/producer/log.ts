/**
 * Structured logs: one JSON object per line on stdout, which CloudWatch Logs (the
 * awslogs driver) stores as is and Logs Insights can query by field.
 */
import { logLevel as KafkaLogLevel, type logCreator } from 'kafkajs';
import type { LogLevel } from './config';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** a line written as is, whatever the level (the metrics' EMF lines) */
  raw(line: object): void;
}

function errorFields(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const out: LogFields = { name: value.name, message: value.message };
  const extra = value as Error & { retriable?: unknown; code?: unknown; type?: unknown; cause?: unknown };
  if (extra.retriable !== undefined) out.retriable = extra.retriable;
  if (extra.code !== undefined) out.code = extra.code;
  if (extra.type !== undefined) out.type = extra.type;
  if (extra.cause !== undefined) out.cause = errorFields(extra.cause);
  return out;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stdout.write(l), now: () => number = Date.now): Logger {
  const min = RANK[level];
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[lvl] < min) return;
    const record: LogFields = { time: new Date(now()).toISOString(), level: lvl, msg };
    if (fields) for (const [k, v] of Object.entries(fields)) record[k] = errorFields(v);
    write(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    raw: (line) => write(`${JSON.stringify(line)}\n`),
  };
}

/** kafkajs's own log entries, through the same JSON logger. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () => (entry) => {
    const { message, timestamp: _timestamp, ...rest } = entry.log;
    const fields = { component: `kafkajs.${entry.namespace}`, ...rest };
    if (entry.level === KafkaLogLevel.ERROR) logger.error(message, fields);
    else if (entry.level === KafkaLogLevel.WARN) logger.warn(message, fields);
    else if (entry.level === KafkaLogLevel.INFO) logger.info(message, fields);
    else logger.debug(message, fields);
  };
}

export function kafkaLogLevel(level: LogLevel): KafkaLogLevel {
  return level === 'debug' ? KafkaLogLevel.DEBUG : level === 'info' ? KafkaLogLevel.INFO : level === 'warn' ? KafkaLogLevel.WARN : KafkaLogLevel.ERROR;
}
