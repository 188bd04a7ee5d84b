import { ServerTCP } from 'modbus-serial';
import { decodeReading } from '../../contracts/reading';
import { Metrics } from '../../functions/producer/metrics';
import { parseRegisterMap } from '../../functions/producer/registerMap';
import { ProducerService } from '../../functions/producer/service';
import { ModbusSource } from '../../functions/producer/sources/modbus';
import { freePort } from '../../local/ports';
import { captureLog, FakeKafka, ManualClock, testConfig } from './helpers';

interface Slave {
  port: number;
  registers: Map<number, number>;
  requests: number;
  close(): Promise<void>;
}

/** A real Modbus TCP server on loopback answering only for `unitId`, with holding and input registers. */
async function startSlave(unitId: number): Promise<Slave> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const registers = new Map<number, number>();
    const slave: Slave = { port, registers, requests: 0, close: async () => undefined };
    const read = (addr: number) => {
      slave.requests++;
      return registers.get(addr) ?? 0;
    };
    const server = new ServerTCP({ getHoldingRegister: (addr: number) => read(addr), getInputRegister: (addr: number) => read(addr + 10_000) }, { host: '127.0.0.1', port, unitID: unitId });
    const ok = await new Promise<boolean>((resolve) => {
      server.on('initialized', () => resolve(true));
      server.on('serverError', () => resolve(false));
    });
    if (ok) {
      slave.close = () =>
        new Promise<void>((resolve) => {
          for (const sock of server.socks.keys()) sock.destroy();
          server.close(() => resolve());
        });
      return slave;
    }
    if (attempt > 5) throw new Error('no free port for the Modbus server');
  }
}

function words(map: Map<number, number>, at: number, ...values: number[]): void {
  values.forEach((v, i) => map.set(at + i, v & 0xffff));
}

function float32Words(x: number): [number, number] {
  const b = Buffer.alloc(4);
  b.writeFloatBE(x, 0);
  return [b.readUInt16BE(0), b.readUInt16BE(2)];
}

describe('Modbus TCP source against a real server on loopback', () => {
  let slave: Slave;
  let closedPort: number;

  beforeAll(async () => {
    slave = await startSlave(1);
    closedPort = await freePort();
    // device A, unit 1: uint16 ×0.1 V, int16 ×0.01 A, int16 ×0.1 °C, uint16 W/m² at 100..103
    words(slave.registers, 100, 4105, 725, -35, 812);
    // device B, unit 1: float32 (high word first) V, int32 (word-swapped) mA → A, at 200..207, input table
    const [vh, vl] = float32Words(398.25);
    words(slave.registers, 10_200, vh, vl);
    const mA = -1500; // a small negative offset at night
    words(slave.registers, 10_202, mA & 0xffff, (mA >> 16) & 0xffff);
    words(slave.registers, 10_204, 215, 3);
  });

  afterAll(async () => {
    await slave.close();
  });

  function mapJson(extra: object[] = []) {
    return {
      defaults: {
        host: '127.0.0.1',
        port: slave.port,
        timeoutMs: 300,
        registers: {
          voltage: { address: 100, type: 'uint16', scale: 0.1 },
          current: { address: 101, type: 'int16', scale: 0.01 },
          temperature: { address: 102, type: 'int16', scale: 0.1 },
          irradiance: { address: 103, type: 'uint16' },
        },
      },
      devices: [
        { deviceId: 'PV-A', unitId: 1 },
        {
          deviceId: 'PV-B',
          unitId: 1,
          table: 'input',
          registers: {
            voltage: { address: 200, type: 'float32' },
            current: { address: 202, type: 'int32', wordOrder: 'little', scale: 0.001 },
            temperature: { address: 204, type: 'int16', scale: 0.1 },
            irradiance: { address: 205, type: 'uint16' },
          },
        },
        ...extra,
      ],
    };
  }

  it('reads each device and scales its registers (16- and 32-bit, both word orders, both tables)', async () => {
    const clock = new ManualClock();
    const metrics = new Metrics('t');
    const source = new ModbusSource({ registerMap: parseRegisterMap(mapJson(), 2000), concurrency: 4 }, clock, captureLog().logger, metrics);
    await source.start();
    const readings = (await source.poll(new AbortController().signal)) as Record<string, number | string>[];
    await source.close();
    expect(readings).toHaveLength(2);
    const a = readings.find((r) => r.deviceId === 'PV-A')!;
    expect(a.timestamp).toBe(clock.now());
    expect(a.voltage).toBeCloseTo(410.5, 9);
    expect(a.current).toBeCloseTo(7.25, 9);
    expect(a.temperature).toBeCloseTo(-3.5, 9);
    expect(a.irradiance).toBe(812);
    const b = readings.find((r) => r.deviceId === 'PV-B')!;
    expect(b.voltage).toBe(398.25);
    expect(b.current).toBeCloseTo(-1.5, 9);
    expect(b.temperature).toBeCloseTo(21.5, 9);
    expect(b.irradiance).toBe(3);
    expect(metrics.total('DeviceErrors')).toBe(0);
  });

  it('logs and counts a device that does not answer, reads the others, and retries it next poll', async () => {
    const clock = new ManualClock();
    const metrics = new Metrics('t');
    const log = captureLog(clock);
    const map = parseRegisterMap(
      mapJson([
        { deviceId: 'PV-SILENT', unitId: 7, timeoutMs: 200 }, // the server ignores unit 7: a timeout
        { deviceId: 'PV-OFFLINE', port: closedPort, timeoutMs: 200 }, // nothing listens: connection refused
      ]),
      2000,
    );
    const source = new ModbusSource({ registerMap: map, concurrency: 2 }, clock, log.logger, metrics);
    const signal = new AbortController().signal;
    const first = (await source.poll(signal)) as { deviceId: string }[];
    expect(first.map((r) => r.deviceId).sort()).toEqual(['PV-A', 'PV-B']);
    expect(metrics.total('DeviceErrors')).toBe(2);
    expect([...source.failingDevices().keys()].sort()).toEqual(['PV-OFFLINE', 'PV-SILENT']);
    const warned = log.lines.filter((l) => l.msg === 'device not answering; retried next poll');
    expect(warned.map((l) => l.deviceId).sort()).toEqual(['PV-OFFLINE', 'PV-SILENT']);

    // second poll: the same two fail again (counted, not logged again); the others still answer
    const second = (await source.poll(signal)) as { deviceId: string }[];
    expect(second.map((r) => r.deviceId).sort()).toEqual(['PV-A', 'PV-B']);
    expect(metrics.total('DeviceErrors')).toBe(4);
    expect(source.failingDevices().get('PV-SILENT')).toBe(2);
    expect(log.lines.filter((l) => l.msg === 'device not answering; retried next poll')).toHaveLength(2);
    await source.close();
  });

  it('picks a device up again once it answers', async () => {
    const late = await startSlave(3);
    words(late.registers, 100, 4000, 500, 250, 600);
    const port = late.port;
    await late.close();
    const clock = new ManualClock();
    const log = captureLog(clock);
    const map = parseRegisterMap(mapJson([{ deviceId: 'PV-LATE', port, unitId: 3, timeoutMs: 200 }]), 2000);
    const source = new ModbusSource({ registerMap: map, concurrency: 2 }, clock, log.logger, new Metrics('t'));
    const signal = new AbortController().signal;
    expect(((await source.poll(signal)) as { deviceId: string }[]).map((r) => r.deviceId)).not.toContain('PV-LATE');
    // the device comes back on the same port
    const back = new ServerTCP({ getHoldingRegister: (addr: number) => late.registers.get(addr) ?? 0 }, { host: '127.0.0.1', port, unitID: 3 });
    await new Promise<void>((resolve, reject) => {
      back.on('initialized', () => resolve());
      back.on('serverError', reject);
    });
    try {
      const readings = (await source.poll(signal)) as { deviceId: string; voltage: number }[];
      expect(readings.find((r) => r.deviceId === 'PV-LATE')?.voltage).toBeCloseTo(400, 9);
      expect(log.lines.find((l) => l.msg === 'device answering again')).toMatchObject({ deviceId: 'PV-LATE', failedPolls: 1 });
      expect(source.failingDevices().size).toBe(0);
    } finally {
      await source.close();
      await new Promise<void>((resolve) => {
        for (const sock of back.socks.keys()) sock.destroy();
        back.close(() => resolve());
      });
    }
  });

  it('through the service: Modbus registers → validated Avro on the topic', async () => {
    const clock = new ManualClock();
    const kafka = new FakeKafka();
    const metrics = new Metrics('t');
    const log = captureLog(clock);
    const config = testConfig({ SOURCE: 'modbus', MODBUS_REGISTER_MAP: JSON.stringify(mapJson([{ deviceId: 'PV-SILENT', unitId: 9, timeoutMs: 150 }])) });
    const source = new ModbusSource({ registerMap: (config.source as { registerMap: ReturnType<typeof parseRegisterMap> }).registerMap, concurrency: 2 }, clock, log.logger, metrics);
    const service = new ProducerService(config, { source, producer: kafka.producer, admin: kafka.admin, logger: log.logger, metrics, clock });
    await service.start();
    for (let i = 0; i < 200 && kafka.deliveredMessages.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await service.stop('test');
    expect(kafka.deliveredMessages.map((m) => m.key).sort()).toEqual(['PV-A', 'PV-B']);
    const a = decodeReading(kafka.deliveredMessages.find((m) => m.key === 'PV-A')!.value as Buffer);
    // Avro floats are 32-bit: 410.5 and 7.25 are exact, -3.5 too
    expect(a).toEqual({ deviceId: 'PV-A', timestamp: clock.now(), voltage: 410.5, current: 7.25, temperature: -3.5, irradiance: 812 });
    expect(metrics.total('DeviceErrors')).toBeGreaterThanOrEqual(1);
    expect(service.status).toBe('stopped');
  });
});
