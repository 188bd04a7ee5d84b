import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDesign } from '../../contracts/design';
import { DEFAULT_NONCURRENT_DAYS, parseStackConfig, type RawConfig } from '../../infra/config';
import { readProjectFile, readStackConfig, REPO_ROOT } from '../helpers/stackFiles';

describe('Pulumi project', () => {
  it('names the project, the TypeScript runtime and an entry point that exists', () => {
    const project = readProjectFile();
    expect(project.name).toBe('pv-fault');
    expect(project.runtime).toMatchObject({ name: 'nodejs', options: { typescript: true } });
    expect(existsSync(join(REPO_ROOT, project.main ?? 'index.ts'))).toBe(true);
  });
});

describe('stack config', () => {
  const dev = parseStackConfig(readStackConfig('dev'));
  const prod = parseStackConfig(readStackConfig('prod'));

  it('parses both stack files', () => {
    expect(dev.stage).toBe('dev');
    expect(prod.stage).toBe('prod');
    expect(dev.plantTimeZone).toBe('Europe/Madrid');
    expect(dev.emr.releaseLabel).toMatch(/^emr-7\./);
  });

  it('shares project-level settings and differs where the stages must', () => {
    expect(prod.plantTimeZone).toBe(dev.plantTimeZone);
    expect(prod.kafka.topic).toBe(dev.kafka.topic);
    expect(prod.emr.releaseLabel).toBe(dev.emr.releaseLabel);
    expect(dev.protect).toBe(false);
    expect(prod.protect).toBe(true);
    expect(dev.emr.preInitialized).toBeNull();
    expect(prod.emr.preInitialized).toEqual({
      driver: { count: 1 },
      executor: { count: 4 },
    });
    expect(dev.schedule.enabled).toBe(false);
    expect(prod.schedule.enabled).toBe(true);
    expect(dev.retention.silverDays).toBeLessThan(prod.retention.silverDays);
    expect(prod.retention.goldDays).toBeNull(); // prod keeps gold
    expect(dev.producer.source).toBe('simulator');
    // the KMS key: disposable dev data needs none; prod's buckets, topic and logs take one
    expect(dev.kmsEncryption).toBe(false);
    expect(prod.kmsEncryption).toBe(true);
    expect(dev.api.reservedConcurrency).toBeLessThan(prod.api.reservedConcurrency);
    expect(prod.retention.noncurrentDays).toBe(30);
  });

  it('keeps replaced silver and gold versions for the default days when the stack does not say', () => {
    expect((readStackConfig('dev')['pv-fault:retention'] as Record<string, unknown>).noncurrentDays).toBeUndefined();
    expect(dev.retention.noncurrentDays).toBe(DEFAULT_NONCURRENT_DAYS);
  });

  const base = readStackConfig('dev');
  const emr = base['pv-fault:emr'] as Record<string, unknown>;
  const api = base['pv-fault:api'] as Record<string, unknown>;
  const retention = base['pv-fault:retention'] as Record<string, unknown>;
  it.each<[string, RawConfig, string]>([
    ['a missing stage', { ...base, 'pv-fault:stage': undefined }, 'stack config pv-fault:stage: is required but not set'],
    ['an unknown stage', { ...base, 'pv-fault:stage': 'staging' }, 'pv-fault:stage: expected one of dev, prod, got "staging"'],
    ['a typo in a key', { ...base, 'pv-fault:kafkaPartiton': 3 }, 'pv-fault:kafkaPartiton: is not a known setting'],
    ['a nested typo', { ...base, 'pv-fault:emr': { ...emr, maxCPU: '4 vCPU' } }, 'pv-fault:emr.maxCPU: is not a known setting'],
    ['a malformed CPU size', { ...base, 'pv-fault:emr': { ...emr, maxCpu: '16' } }, 'pv-fault:emr.maxCpu: "16" is not a CPU size'],
    ['pre-initialized capacity without sizes', { ...base, 'pv-fault:emr': { ...emr, preInitialized: true } }, 'pv-fault:emr.driver: is required'],
    ['a warm worker size of its own', { ...base, 'pv-fault:emr': { ...emr, preInitialized: true, driver: { count: 1 }, executor: { count: 4, cpu: '4 vCPU', memory: '16 GB' } } }, 'pv-fault:emr.executor.cpu: is not a setting: pre-initialized workers have the size the jobs ask for (spark/submit-parameters.json)'],
    ['a job timeout longer than a rerun keeps the files it reads', { ...base, 'pv-fault:emr': { ...emr, jobTimeoutMinutes: 1441 } }, 'pv-fault:emr.jobTimeoutMinutes: expected an integer in 5..1440, got 1441'],
    ['a bad time zone', { ...base, 'pv-fault:plantTimeZone': 'Mars/Olympus' }, 'pv-fault:plantTimeZone: "Mars/Olympus" is not an IANA time zone'],
    ['a bad CIDR', { ...base, 'pv-fault:vpcCidr': '10.400.0.0/16' }, 'pv-fault:vpcCidr: 10.400.0.0/16 has an octet above 255'],
    ['a zero partition count', { ...base, 'pv-fault:kafkaPartitions': 0 }, 'pv-fault:kafkaPartitions: expected an integer in 1..1000, got 0'],
    ['an EMR 6 release', { ...base, 'pv-fault:emrReleaseLabel': 'emr-6.7.0' }, 'pv-fault:emrReleaseLabel: "emr-6.7.0" is not an EMR 7.x release label'],
    ['a missing region', { ...base, 'aws:region': undefined }, 'aws:region: is required'],
    ['a bad alarm e-mail', { ...base, 'pv-fault:alarmEmail': 'ops' }, 'pv-fault:alarmEmail: "ops" is not an e-mail address'],
    ['no KMS choice', { ...base, 'pv-fault:kmsEncryption': undefined }, 'stack config pv-fault:kmsEncryption: is required but not set'],
    ['a KMS choice that is not a boolean', { ...base, 'pv-fault:kmsEncryption': 'yes' }, 'pv-fault:kmsEncryption: expected true or false, got "yes"'],
    ['a reserved concurrency of 0 (the lookup would never run)', { ...base, 'pv-fault:api': { ...api, reservedConcurrency: 0 } }, 'pv-fault:api.reservedConcurrency: expected an integer in 1..1000, got 0'],
    ['no reserved concurrency', { ...base, 'pv-fault:api': { ...api, reservedConcurrency: undefined } }, 'pv-fault:api.reservedConcurrency: is required'],
    ['old versions kept for 0 days', { ...base, 'pv-fault:retention': { ...retention, noncurrentDays: 0 } }, 'pv-fault:retention.noncurrentDays: expected an integer in 1..3650, got 0'],
    ['old versions kept for a fraction of a day', { ...base, 'pv-fault:retention': { ...retention, noncurrentDays: 1.5 } }, 'pv-fault:retention.noncurrentDays: expected an integer in 1..3650, got 1.5'],
  ])('rejects %s naming the key', (_name, raw, message) => {
    expect(() => parseStackConfig(raw)).toThrow(message);
  });

  it('accepts structured values as the JSON text Pulumi passes at deploy time', () => {
    const asPulumiGivesIt = Object.fromEntries(Object.entries(base).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]));
    expect(parseStackConfig(asPulumiGivesIt)).toEqual(dev);
  });
});

describe('stack config: the arrays\' design (pv-fault:design)', () => {
  const base = readStackConfig('dev');
  it("keeps today's default design in both stages", () => {
    expect(parseStackConfig(base).design).toEqual({ value: defaultDesign(), setting: 'legacy-5x3-cs5p-220m' });
    expect(parseStackConfig(readStackConfig('prod')).design.value).toEqual(defaultDesign());
    expect(parseStackConfig({ ...base, 'pv-fault:design': undefined }).design.value).toEqual(defaultDesign());
  });

  it('takes a named design, a design object, or its JSON text; the producer gets the name or the JSON', () => {
    expect(parseStackConfig({ ...base, 'pv-fault:design': 'cdte-4x4-fs-6385' }).design).toMatchObject({ value: { name: 'cdte-4x4-fs-6385', modulesPerString: 4 }, setting: 'cdte-4x4-fs-6385' });
    const object = { modulesPerString: 10, strings: 2, module: 'Trina Solar TSM-250PD05' };
    const fromObject = parseStackConfig({ ...base, 'pv-fault:design': object }).design;
    expect(fromObject.value.layout).toMatchObject({ nSeries: 10, nStrings: 2 });
    expect(JSON.parse(fromObject.setting)).toEqual(object);
    expect(parseStackConfig({ ...base, 'pv-fault:design': JSON.stringify(object) }).design).toEqual(fromObject);
  });

  it.each<[string, unknown, string]>([
    ['zero modules per string', { modulesPerString: 0, strings: 2, module: 'Trina Solar TSM-250PD05' }, 'stack config pv-fault:design.modulesPerString: must be an integer 1..40, got 0'],
    ['an unknown module', { modulesPerString: 4, strings: 2, module: 'Acme' }, 'stack config pv-fault:design.module: unknown module "Acme"'],
    ['an unknown design name', 'big-one', 'stack config pv-fault:design: unknown design "big-one"'],
    ['JSON text that is not JSON', '{ modulesPerString: 4', 'stack config pv-fault:design: expected a design name or a design object'],
  ])('rejects %s naming the key', (_name, design, message) => {
    expect(() => parseStackConfig({ ...base, 'pv-fault:design': design })).toThrow(message);
  });
});

describe('stack config: zones, Spark pins and the producer', () => {
  const base = readStackConfig('dev');
  const prodBase = readStackConfig('prod');
  const producer = prodBase['pv-fault:producer'] as Record<string, unknown>;
  it.each<[string, RawConfig, string]>([
    ['a single zone', { ...base, 'pv-fault:availabilityZones': 1 }, 'pv-fault:availabilityZones: expected an integer in 2..6, got 1'],
    ['a Spark that EMR 7 does not ship', { ...base, 'pv-fault:sparkVersion': '3.4.1' }, 'pv-fault:sparkVersion: "3.4.1" is not a Spark 3.5.x version'],
    ['a Scala version with a patch number', { ...base, 'pv-fault:scalaVersion': '2.12.18' }, 'pv-fault:scalaVersion: "2.12.18" is not a Scala binary version'],
    ['two producers (each would publish every reading)', { ...prodBase, 'pv-fault:producer': { ...producer, desiredCount: 2 } }, 'pv-fault:producer.desiredCount: expected an integer in 0..1, got 2'],
    ['Modbus without a register map', { ...prodBase, 'pv-fault:producer': { ...producer, registerMapFile: undefined } }, 'pv-fault:producer.registerMapFile: is required'],
    ['Modbus without the plant network', { ...prodBase, 'pv-fault:producer': { ...producer, scadaCidr: undefined } }, 'pv-fault:producer.scadaCidr: is required'],
    ['a plant network with a bad octet', { ...prodBase, 'pv-fault:producer': { ...producer, scadaCidr: '192.168.300.0/24' } }, 'pv-fault:producer.scadaCidr: 192.168.300.0/24 has an octet above 255'],
  ])('rejects %s naming the key', (_name, raw, message) => {
    expect(() => parseStackConfig(raw)).toThrow(message);
  });

  it('reads Modbus settings only for a Modbus producer', () => {
    expect(parseStackConfig(base).producer).toMatchObject({ source: 'simulator', registerMapFile: null, scadaCidr: null });
    expect(parseStackConfig(prodBase).producer).toMatchObject({ source: 'modbus', registerMapFile: 'infra/register-map.prod.json', scadaCidr: '192.168.0.0/16' });
  });
});

describe('stack config: the schedule leaves a day its late readings', () => {
  const base = readStackConfig('prod');
  const at = (cron: string, timeZone = 'Europe/Madrid'): RawConfig => ({ ...base, 'pv-fault:scheduleCron': cron, 'pv-fault:plantTimeZone': timeZone });

  it('refuses a start before the previous day plus 3 h, and says the earliest time that holds every day', () => {
    expect(() => parseStackConfig(at('cron(30 1 * * ? *)'))).toThrow(
      /^stack config pv-fault:scheduleCron: cron\(30 1 \* \* \? \*\) starts the run of a day at 01:30 Europe\/Madrid the next day, before its readings published up to 3 h late are in \(on \d{4}-\d\d-\d\d, not before \d{4}-\d\d-\d\d 03:00\); schedule it at 04:00 or later$/,
    );
  });

  it.each([
    ['Europe/Madrid', 'cron(30 3 * * ? *)', '03-(2[5-9]|3[01])', '04:00'], // the last Sunday of March has 23 hours
    ['America/Santiago', 'cron(30 3 * * ? *)', '09-0[1-9]', '04:00'], // the clocks jump at midnight: the day starts at 01:00
  ])('refuses in %s a start that is late enough on ordinary days but not on the day the clocks go forward', (timeZone, cron, day, suggestion) => {
    expect(() => parseStackConfig(at(cron, timeZone))).toThrow(new RegExp(`\\(on \\d{4}-${day}, not before .*\\); schedule it at ${suggestion} or later$`));
  });

  it.each([
    ['Europe/Madrid', 'cron(0 4 * * ? *)'],
    ['Europe/Madrid', 'cron(30 4 ? * MON-FRI *)'],
    ['America/Santiago', 'cron(0 4 * * ? *)'],
    ['UTC', 'cron(0 3 * * ? *)'],
  ])('accepts in %s %s', (timeZone, cron) => {
    expect(parseStackConfig(at(cron, timeZone)).schedule.cron).toBe(cron);
  });

  it.each(['cron(0/30 * * * ? *)', 'cron(0 4,16 * * ? *)', 'rate(1 day)', 'cron(60 4 * * ? *)'])('refuses %s: the daily run starts once, at one time of day', (cron) => {
    expect(() => parseStackConfig(at(cron))).toThrow(`pv-fault:scheduleCron: ${JSON.stringify(cron)} is not one daily time like cron(30 4 * * ? *)`);
  });
});

describe('stack config: the operator dashboard (pv-fault:webDashboard)', () => {
  const dev = readStackConfig('dev');
  const withWeb = (web: unknown): RawConfig => ({ ...dev, 'pv-fault:webDashboard': web });

  it('deploys it in both stages, MFA optional in dev and required in prod', () => {
    expect(parseStackConfig(dev).webDashboard).toEqual({ mfa: 'optional', authDomainPrefix: 'pv-fault-dev-ops', sessionHours: 12 });
    expect(parseStackConfig(readStackConfig('prod')).webDashboard).toMatchObject({ mfa: 'required', authDomainPrefix: 'pv-fault-prod-ops' });
  });

  it('is off with enabled: false, and then takes no other setting', () => {
    expect(parseStackConfig(withWeb({ enabled: false })).webDashboard).toBeNull();
    expect(() => parseStackConfig(withWeb({ enabled: false, mfa: 'required' }))).toThrow('pv-fault:webDashboard.mfa: is not a known setting (known: enabled)');
  });

  it.each([
    [undefined, 'pv-fault:webDashboard: is required but not set'],
    [{ enabled: 'yes' }, 'pv-fault:webDashboard.enabled: expected true or false, got "yes"'],
    [{ enabled: true, mfa: 'sometimes', authDomainPrefix: 'pv-ops', sessionHours: 8 }, 'pv-fault:webDashboard.mfa: expected one of off, optional, required, got "sometimes"'],
    [{ enabled: true, mfa: 'off', authDomainPrefix: 'PV_Ops', sessionHours: 8 }, 'pv-fault:webDashboard.authDomainPrefix: "PV_Ops" is not a Cognito domain prefix'],
    [{ enabled: true, mfa: 'off', authDomainPrefix: 'my-cognito-login', sessionHours: 8 }, 'pv-fault:webDashboard.authDomainPrefix: "my-cognito-login" contains "aws", "amazon" or "cognito"'],
    [{ enabled: true, mfa: 'off', authDomainPrefix: 'pv-ops' }, 'pv-fault:webDashboard.sessionHours: is required but not set'],
    [{ enabled: true, mfa: 'off', authDomainPrefix: 'pv-ops', sessionHours: 0 }, 'pv-fault:webDashboard.sessionHours: expected an integer in 1..720, got 0'],
    [{ enabled: true, mfa: 'off', authDomainPrefix: 'pv-ops', sessionHours: 8, selfSignUp: true }, 'pv-fault:webDashboard.selfSignUp: is not a known setting'],
  ])('refuses %j naming the key', (web, message) => {
    expect(() => parseStackConfig(withWeb(web))).toThrow(message);
  });
});
