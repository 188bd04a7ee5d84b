/**
 * Modbus TCP polling, the protocol most PV dataloggers and inverters speak. One
 * connection per endpoint (host:port, often a gateway in front of many units),
 * requests on it one at a time, endpoints polled in parallel up to a limit. A
 * device that does not answer within its timeout is logged (when it starts and
 * stops failing) and counted, and is asked again at the next poll; it never
 * stops the service.
 */
import ModbusRTU from 'modbus-serial';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import { decodeRegister, MEASUREMENTS, registerCount, type ModbusDevice, type RegisterMap } from '../registerMap';
import type { ScadaSource } from './types';

/** Registers one read may return (Modbus function 3/4 limit). */
const MAX_READ_REGISTERS = 125;

export type ModbusClient = Pick<ModbusRTU, 'connectTCP' | 'setID' | 'setTimeout' | 'readHoldingRegisters' | 'readInputRegisters' | 'close' | 'destroy' | 'on' | 'isOpen'>;

export interface ModbusOptions {
  registerMap: RegisterMap;
  concurrency: number;
}

/** The reads that cover a device's four registers: one block when they are close together. */
function readPlan(device: ModbusDevice): { address: number; length: number }[] {
  const specs = MEASUREMENTS.map((m) => device.registers[m]);
  const start = Math.min(...specs.map((s) => s.address));
  const end = Math.max(...specs.map((s) => s.address + registerCount(s.type)));
  if (end - start <= MAX_READ_REGISTERS) return [{ address: start, length: end - start }];
  return specs.map((s) => ({ address: s.address, length: registerCount(s.type) }));
}

class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new TimeoutError(what, ms));
    }, ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

class Endpoint {
  private client: ModbusClient | null = null;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly devices: ModbusDevice[],
    private readonly newClient: () => ModbusClient,
    private readonly logger: Logger,
  ) {}

  get label(): string {
    return `${this.host}:${this.port}`;
  }

  async connected(timeoutMs: number): Promise<ModbusClient> {
    if (this.client?.isOpen) return this.client;
    this.drop();
    const client = this.newClient();
    // a socket error after connecting must not become an unhandled 'error' event
    client.on('error', (err: unknown) => {
      this.logger.debug('modbus connection error', { endpoint: this.label, error: err });
      if (this.client === client) this.drop();
    });
    client.on('close', () => {
      if (this.client === client) this.client = null;
    });
    this.client = client;
    try {
      await withTimeout(client.connectTCP(this.host, { port: this.port }), timeoutMs, `connect to ${this.label}`, () => this.drop());
    } catch (err) {
      this.drop();
      throw err;
    }
    return client;
  }

  drop(): void {
    const c = this.client;
    this.client = null;
    if (!c) return;
    try {
      c.destroy(() => undefined);
    } catch {
      // already gone
    }
  }
}

export class ModbusSource implements ScadaSource {
  readonly kind = 'modbus';
  private readonly endpoints: Endpoint[];
  /** consecutive failed polls per device */
  private readonly failing = new Map<string, number>();

  constructor(
    private readonly options: ModbusOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    newClient: () => ModbusClient = () => new ModbusRTU(),
  ) {
    const byEndpoint = new Map<string, ModbusDevice[]>();
    for (const d of options.registerMap.devices) {
      const key = `${d.host}\u0000${d.port}`;
      byEndpoint.set(key, [...(byEndpoint.get(key) ?? []), d]);
    }
    this.endpoints = [...byEndpoint.values()].map((devices) => new Endpoint(devices[0]!.host, devices[0]!.port, devices, newClient, logger));
  }

  async start(): Promise<void> {
    this.logger.info('modbus source ready', { devices: this.options.registerMap.devices.length, endpoints: this.endpoints.length });
  }

  async poll(signal: AbortSignal): Promise<unknown[]> {
    const out: unknown[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < this.endpoints.length && !signal.aborted) await this.pollEndpoint(this.endpoints[next++]!, out, signal);
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, this.endpoints.length) }, worker));
    this.metrics.set('DevicesFailing', this.failing.size);
    return out;
  }

  private async pollEndpoint(endpoint: Endpoint, out: unknown[], signal: AbortSignal): Promise<void> {
    let client: ModbusClient;
    try {
      client = await endpoint.connected(Math.max(...endpoint.devices.map((d) => d.timeoutMs)));
    } catch (err) {
      for (const d of endpoint.devices) this.failed(d, err);
      return;
    }
    for (const device of endpoint.devices) {
      if (signal.aborted) return;
      try {
        out.push(await this.readDevice(client, device));
        this.answered(device);
      } catch (err) {
        this.failed(device, err);
        if (!client.isOpen) {
          // the connection itself is gone: its other devices fail alike, try them next poll
          for (const d of endpoint.devices.slice(endpoint.devices.indexOf(device) + 1)) this.failed(d, err);
          endpoint.drop();
          return;
        }
      }
    }
  }

  private async readDevice(client: ModbusClient, device: ModbusDevice): Promise<unknown> {
    client.setID(device.unitId);
    client.setTimeout(device.timeoutMs);
    const reading: Record<string, unknown> = { deviceId: device.deviceId };
    const blocks: { address: number; words: Buffer }[] = [];
    for (const { address, length } of readPlan(device)) {
      const read = device.table === 'holding' ? client.readHoldingRegisters(address, length) : client.readInputRegisters(address, length);
      // modbus-serial times out requests itself; this bound also covers a request it never sent
      const result = await withTimeout(read, device.timeoutMs + 1000, `read ${device.deviceId}`, () => undefined);
      if (result.buffer.length < length * 2) throw new Error(`read ${device.deviceId}: ${result.buffer.length} bytes for ${length} registers`);
      blocks.push({ address, words: result.buffer });
    }
    reading.timestamp = this.clock.now();
    for (const m of MEASUREMENTS) {
      const spec = device.registers[m];
      const block = blocks.find((b) => spec.address >= b.address && (spec.address - b.address + registerCount(spec.type)) * 2 <= b.words.length)!;
      reading[m] = decodeRegister(block.words, block.address, spec);
    }
    return reading;
  }

  private answered(device: ModbusDevice): void {
    const failedPolls = this.failing.get(device.deviceId);
    if (failedPolls === undefined) return;
    this.failing.delete(device.deviceId);
    this.logger.info('device answering again', { deviceId: device.deviceId, failedPolls });
  }

  private failed(device: ModbusDevice, err: unknown): void {
    this.metrics.add('DeviceErrors');
    const n = (this.failing.get(device.deviceId) ?? 0) + 1;
    this.failing.set(device.deviceId, n);
    // once when it starts failing, then every 100th poll: a dead device must not flood the logs
    if (n === 1 || n % 100 === 0) {
      this.logger.warn('device not answering; retried next poll', {
        deviceId: device.deviceId,
        endpoint: `${device.host}:${device.port}`,
        unitId: device.unitId,
        failedPolls: n,
        error: err,
      });
    }
  }

  /** deviceId → consecutive failed polls, for /health and tests */
  failingDevices(): ReadonlyMap<string, number> {
    return this.failing;
  }

  async close(): Promise<void> {
    for (const e of this.endpoints) e.drop();
  }
}
