import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleProducer } from '../../functions/producer/bundle';
import { freePort } from '../../local/ports';

const HERE = join(__dirname, '../../functions/producer');

describe('Dockerfile', () => {
  const text = readFileSync(join(HERE, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const stages = lines.reduce<string[][]>((acc, l) => {
    if (/^FROM\s/i.test(l)) acc.push([]);
    acc.at(-1)?.push(l);
    return acc;
  }, []);
  const runtime = stages.at(-1)!;

  it('is multi-stage on Node 20, the runtime stage copying only the build output', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s[0]).toMatch(/^FROM node:20-bookworm-slim\b/);
    expect(runtime.some((l) => /^COPY --from=build\s/.test(l))).toBe(true);
    expect(runtime.filter((l) => l.startsWith('COPY') && !l.startsWith('COPY --from='))).toEqual([]);
  });

  it('runs as the unprivileged node user, with a health check and an exec-form CMD', () => {
    const user = runtime.findIndex((l) => l.startsWith('USER '));
    const cmd = runtime.findIndex((l) => l.startsWith('CMD '));
    expect(runtime[user]).toBe('USER node');
    expect(user).toBeGreaterThan(-1);
    expect(cmd).toBeGreaterThan(user);
    expect(runtime.slice(user + 1).some((l) => l.startsWith('USER '))).toBe(false);
    expect(runtime.some((l) => /^HEALTHCHECK .*CMD \["node", "healthcheck\.js"\]/.test(l))).toBe(true);
    expect(JSON.parse(runtime[cmd]!.slice(4))).toEqual(['node', '--enable-source-maps', 'main.js']);
  });

  it('sends the build only what it copies (Dockerfile.dockerignore)', () => {
    const ignore = readFileSync(join(HERE, 'Dockerfile.dockerignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    const copied = stages[0]!.filter((l) => l.startsWith('COPY ')).flatMap((l) => l.slice(5).trim().split(/\s+/).slice(0, -1)).map((p) => p.replace(/\/$/, ''));
    for (const p of copied) expect(ignore).toContain(p);
  });
});

describe('the container bundle', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'producer-bundle-'));
    await bundleProducer(dir);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // run outside the repository with a bare environment: no node_modules to fall back on
  const run = (env: Record<string, string>) => spawnSync(process.execPath, [join(dir, 'main.js')], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });

  it('is self-contained and stops at start on a bad configuration, naming the variables', () => {
    const r = run({ SOURCE: 'modbus', KAFKA_BOOTSTRAP_SERVERS: 'x' });
    expect(r.status).toBe(1);
    const line = JSON.parse(r.stdout.trim().split('\n')[0]!) as { level: string; msg: string; problems: string[] };
    expect(line).toMatchObject({ level: 'error', msg: 'invalid configuration' });
    expect(line.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^KAFKA_BOOTSTRAP_SERVERS: "x"/), expect.stringMatching(/^AWS_REGION: required/), expect.stringMatching(/^MODBUS_REGISTER_MAP: required/)]),
    );
  });

  it('starts the service (simulated day, Kafka client) and exits 1 when no broker answers on loopback', async () => {
    const port = await freePort();
    const r = run({ SOURCE: 'simulator', SIMULATED_DEVICES: '3', SIMULATOR_TEMPLATES: '1', KAFKA_AUTH: 'plaintext', KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9', KAFKA_RETRIES: '1', HEALTH_PORT: String(port), LOG_LEVEL: 'info' });
    const logs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
    expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['starting', 'simulated plant day ready', 'start failed', 'stopped']));
    expect(r.status).toBe(1);
  });
});
