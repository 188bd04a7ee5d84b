import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDesign } from '../../contracts/design';
import { parseProducerConfig, PRODUCER_ENV, ProducerConfigError } from '../../functions/producer/config';
import { decodeRegister, parseRegisterMap } from '../../functions/producer/registerMap';

const BASE = { SOURCE: 'simulator', KAFKA_BOOTSTRAP_SERVERS: 'b-1.example.kafka-serverless.eu-west-1.amazonaws.com:9098,b-2.example:9098', AWS_REGION: 'eu-west-1' };
const MAP = { devices: [{ deviceId: 'PV-1', host: '10.0.0.5', registers: { voltage: { address: 0 }, current: { address: 1 }, temperature: { address: 2 }, irradiance: { address: 3 } } }] };

function problems(env: Record<string, string | undefined>, readText?: (p: string) => string): string[] {
  try {
    parseProducerConfig(env, readText);
  } catch (err) {
    if (err instanceof ProducerConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('producer configuration', () => {
  it('applies the documented defaults', () => {
    const c = parseProducerConfig(BASE);
    expect(c.kafka).toMatchObject({
      brokers: ['b-1.example.kafka-serverless.eu-west-1.amazonaws.com:9098', 'b-2.example:9098'],
      topic: 'pv-readings',
      partitions: 12,
      replicationFactor: -1,
      createTopic: true,
      auth: { kind: 'iam', region: 'eu-west-1' },
      compression: 'gzip',
    });
    expect(c.source).toEqual({ kind: 'simulator', devices: 100, templates: 100, seed: 1, timeZone: 'Europe/Madrid', design: defaultDesign() });
    expect(c.pollIntervalMs).toBe(20_000);
    expect(c.health.port).toBe(8080);
    // every default in PRODUCER_ENV is itself a valid value
    for (const v of PRODUCER_ENV) expect(v.default === null || v.default.length > 0).toBe(true);
  });

  it('simulates the design SIMULATOR_DESIGN names or gives as JSON, and names the design key that is wrong', () => {
    const named = parseProducerConfig({ ...BASE, SIMULATOR_DESIGN: 'cdte-4x4-fs-6385' }).source;
    expect(named.kind === 'simulator' && named.design.module.technology).toBe('CdTe');
    const json = parseProducerConfig({ ...BASE, SIMULATOR_DESIGN: JSON.stringify({ modulesPerString: 9, strings: 2, module: 'Trina Solar TSM-250PD05' }) }).source;
    expect(json.kind === 'simulator' && json.design.layout).toMatchObject({ nSeries: 9, nStrings: 2 });
    expect(problems({ ...BASE, SIMULATOR_DESIGN: JSON.stringify({ modulesPerString: 9, strings: 0, module: 'Trina Solar TSM-250PD05' }) })).toEqual(['SIMULATOR_DESIGN.strings: must be an integer 1..100, got 0']);
    expect(problems({ ...BASE, SIMULATOR_DESIGN: '{ strings' })[0]).toMatch(/^SIMULATOR_DESIGN: not JSON/);
  });

  it('lists every variable once, each described', () => {
    const names = PRODUCER_ENV.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const v of PRODUCER_ENV) expect(v.description.length).toBeGreaterThan(10);
  });

  it('reports every problem at once, each naming its variable', () => {
    const p = problems({ SOURCE: 'opc-ua', KAFKA_PARTITIONS: 'many', KAFKA_TOPIC: 'bad topic', LOG_LEVEL: 'loud' });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SOURCE: "opc-ua" is not one of simulator, modbus/),
        expect.stringMatching(/^KAFKA_BOOTSTRAP_SERVERS: required/),
        expect.stringMatching(/^AWS_REGION: required with KAFKA_AUTH=iam/),
        expect.stringMatching(/^KAFKA_PARTITIONS: "many" must be an integer in 1\.\.1000/),
        expect.stringMatching(/^KAFKA_TOPIC: "bad topic" is not a Kafka topic name/),
        expect.stringMatching(/^LOG_LEVEL: "loud"/),
      ]),
    );
  });

  it.each(PRODUCER_ENV.filter((v) => v.default !== null && /^-?\d+$/.test(v.default)).map((v) => [v.name]))('rejects a non-integer %s', (name) => {
    const env: Record<string, string> = { ...BASE, [name]: '12abc' };
    if (name.startsWith('MODBUS_')) Object.assign(env, { SOURCE: 'modbus', MODBUS_REGISTER_MAP: JSON.stringify(MAP) });
    expect(problems(env).some((p) => p.startsWith(`${name}: "12abc"`))).toBe(true);
  });

  it('rejects malformed brokers and settings that cannot work together', () => {
    expect(problems({ ...BASE, KAFKA_BOOTSTRAP_SERVERS: 'no-port' })).toEqual(['KAFKA_BOOTSTRAP_SERVERS: "no-port" is not a host:port']);
    expect(problems({ ...BASE, QUEUE_MAX_MESSAGES: '100', BATCH_MAX_MESSAGES: '500' })[0]).toMatch(/^QUEUE_MAX_MESSAGES: 100 is below BATCH_MAX_MESSAGES/);
    expect(problems({ ...BASE, KAFKA_REPLICATION_FACTOR: '0' })[0]).toMatch(/^KAFKA_REPLICATION_FACTOR/);
    expect(problems({ ...BASE, PLANT_TIME_ZONE: 'Mars/Olympus' })[0]).toMatch(/^PLANT_TIME_ZONE/);
    expect(problems({ ...BASE, AWS_REGION: 'Ireland' })[0]).toMatch(/^AWS_REGION: "Ireland"/);
  });

  it('accepts AWS_DEFAULT_REGION, and needs no region with KAFKA_AUTH=plaintext', () => {
    expect(parseProducerConfig({ SOURCE: 'simulator', KAFKA_BOOTSTRAP_SERVERS: 'k:9098', AWS_DEFAULT_REGION: 'us-east-1' }).kafka.auth).toEqual({ kind: 'iam', region: 'us-east-1' });
    expect(parseProducerConfig({ SOURCE: 'simulator', KAFKA_BOOTSTRAP_SERVERS: 'localhost:9092', KAFKA_AUTH: 'plaintext' }).kafka.auth).toEqual({ kind: 'plaintext' });
  });

  it('reads the Modbus register map from JSON text or from a file', () => {
    const inline = parseProducerConfig({ ...BASE, SOURCE: 'modbus', MODBUS_REGISTER_MAP: JSON.stringify(MAP), MODBUS_TIMEOUT_MS: '750' });
    expect(inline.source.kind === 'modbus' && inline.source.registerMap.devices[0]).toMatchObject({ deviceId: 'PV-1', host: '10.0.0.5', port: 502, unitId: 1, table: 'holding', timeoutMs: 750 });
    const read: string[] = [];
    const fromFile = parseProducerConfig({ ...BASE, SOURCE: 'modbus', MODBUS_REGISTER_MAP: '/etc/producer/map.json' }, (p) => {
      read.push(p);
      return JSON.stringify(MAP);
    });
    expect(read).toEqual(['/etc/producer/map.json']);
    expect(fromFile.source.kind).toBe('modbus');
    expect(problems({ ...BASE, SOURCE: 'modbus' })).toEqual([expect.stringMatching(/^MODBUS_REGISTER_MAP: required with SOURCE=modbus/)]);
    expect(problems({ ...BASE, SOURCE: 'modbus', MODBUS_REGISTER_MAP: '{"devices": [' })[0]).toMatch(/^MODBUS_REGISTER_MAP: not valid JSON/);
    expect(
      problems({ ...BASE, SOURCE: 'modbus', MODBUS_REGISTER_MAP: '/missing.json' }, () => {
        throw new Error('ENOENT: no such file');
      })[0],
    ).toBe('MODBUS_REGISTER_MAP (/missing.json): cannot read the file: ENOENT: no such file');
  });
});

describe('register map', () => {
  const regs = { voltage: { address: 10, type: 'uint16', scale: 0.1 }, current: { address: 11, type: 'int16', scale: 0.01 }, temperature: { address: 12, type: 'int16', scale: 0.1 }, irradiance: { address: 13 } };

  it('takes host, port, unit, table, timeout and registers from defaults unless a device sets them', () => {
    const map = parseRegisterMap(
      {
        defaults: { host: 'gw-1', port: 1502, registers: regs },
        devices: [
          { deviceId: 'PV-1', unitId: 3 },
          { deviceId: 'PV-2', unitId: 4, host: 'gw-2', timeoutMs: 900, registers: { irradiance: { address: 40, type: 'float32', wordOrder: 'little' } } },
        ],
      },
      2000,
    );
    expect(map.devices[0]).toMatchObject({ host: 'gw-1', port: 1502, unitId: 3, timeoutMs: 2000, table: 'holding' });
    expect(map.devices[0]!.registers.irradiance).toEqual({ address: 13, type: 'uint16', scale: 1, offset: 0, wordOrder: 'big' });
    expect(map.devices[1]).toMatchObject({ host: 'gw-2', port: 1502, unitId: 4, timeoutMs: 900 });
    // a device's own register spec replaces the default one whole
    expect(map.devices[1]!.registers.irradiance).toEqual({ address: 40, type: 'float32', scale: 1, offset: 0, wordOrder: 'little' });
    expect(map.devices[1]!.registers.voltage.scale).toBe(0.1);
  });

  it.each([
    [{ devices: [] }, '$.devices: must be a non-empty array'],
    [{ devices: [{ deviceId: 'bad id', host: 'h', registers: regs }] }, '$.devices[0].deviceId: "bad id" does not match'],
    [{ devices: [{ deviceId: 'PV-1', registers: regs }] }, '$.devices[0].host: missing'],
    [{ devices: [{ deviceId: 'PV-1', host: 'h', registers: { ...regs, voltage: { address: 1, type: 'int8' } } }] }, '$.devices[0].registers.voltage.type: "int8" is not one of int16, uint16, int32, uint32, float32'],
    [{ devices: [{ deviceId: 'PV-1', host: 'h', registers: { voltage: regs.voltage, current: regs.current, temperature: regs.temperature } }] }, '$.devices[0].registers.irradiance: missing'],
    [{ devices: [{ deviceId: 'PV-1', host: 'h', unitId: 300, registers: regs }] }, '$.devices[0].unitId: 300 must be an integer in 0..255'],
    [{ devices: [{ deviceId: 'PV-1', host: 'h', registers: regs }, { deviceId: 'PV-1', host: 'h', registers: regs }] }, '$.devices[1].deviceId: "PV-1" appears twice'],
    [{ devices: [{ deviceId: 'PV-1', host: 'h', registers: { ...regs, power: { address: 9 } } }] }, '$.devices[0].registers.power: unknown key'],
    [{ devices: [{ deviceId: 'PV-1', host: 'h', registers: { ...regs, voltage: { address: 65535, type: 'uint32' } } }] }, '$.devices[0].registers.voltage.address: 65535 must be an integer in 0..65534'],
  ])('rejects %j with a message naming the path', (input, message) => {
    expect(() => parseRegisterMap(input, 1000)).toThrow(message);
  });

  it('decodes 16- and 32-bit registers in either word order, scaled and offset', () => {
    const words = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x86, 0xa0, 0x43, 0xc7, 0x20, 0x00]);
    const spec = (address: number, type: string, extra = {}) => ({ address, type, scale: 1, offset: 0, wordOrder: 'big', ...extra }) as Parameters<typeof decodeRegister>[2];
    expect(decodeRegister(words, 100, spec(100, 'int16'))).toBe(-2);
    expect(decodeRegister(words, 100, spec(100, 'uint16'))).toBe(65534);
    expect(decodeRegister(words, 100, spec(101, 'uint32'))).toBe(0x000186a0); // 100000
    expect(decodeRegister(words, 100, spec(101, 'uint32', { wordOrder: 'little' }))).toBe(0x86a00001);
    expect(decodeRegister(words, 100, spec(100, 'int32'))).toBe(-131071);
    expect(decodeRegister(words, 100, spec(103, 'float32'))).toBe(398.25);
    expect(decodeRegister(words, 100, spec(101, 'uint32', { scale: 0.001, offset: -50 }))).toBeCloseTo(50, 9);
  });
});

describe('docs/producer.md', () => {
  it('documents every variable of PRODUCER_ENV with its default', () => {
    const doc = readFileSync(join(__dirname, '../../docs/producer.md'), 'utf8');
    for (const v of PRODUCER_ENV) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${v.name}\` |`));
      expect(row).toBeDefined();
      if (v.default !== null) expect(row).toContain(`\`${v.default}\``);
    }
  });
});
