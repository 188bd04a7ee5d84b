/**
 * The API's S3 client against a bare HTTP server on loopback that answers ranged
 * GETs and records the connections and headers it sees: sockets are reused across
 * requests, and enough of them for a 92-day /status range at once.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createS3Client, MAX_SOCKETS, s3ClientConfig } from '../../functions/api/s3Client';
import { S3Store } from '../../functions/api/s3Store';

const OBJECT = Uint8Array.from({ length: 4096 }, (_, i) => i % 251);

let server: Server;
let port: number;
let connections = 0;
let seen: IncomingHttpHeaders[] = [];
/** responses held back until released, to have many requests in flight at once */
let held: (() => void)[] | null = null;

function answer(headers: IncomingHttpHeaders, res: ServerResponse): void {
  const m = /^bytes=(\d+)-(\d+)$/.exec(headers.range ?? '');
  const start = Number(m?.[1] ?? 0);
  const end = Number(m?.[2] ?? OBJECT.length - 1);
  const body = OBJECT.subarray(start, end + 1);
  res.writeHead(206, { 'content-type': 'application/octet-stream', 'content-length': body.length, 'content-range': `bytes ${start}-${end}/${OBJECT.length}` });
  res.end(body);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => (held ? held.push(() => answer(req.headers, res)) : answer(req.headers, res)));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  connections = 0;
  seen = [];
  held = null;
});

const local = () => createS3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, credentials: { accessKeyId: 'k', secretAccessKey: 's' } });

describe('the API S3 client', () => {
  it('reads the requested bytes', async () => {
    const client = local();
    try {
      const bytes = new Uint8Array(await new S3Store(client, 'gold').getRange('a/b.parquet', 100, 300));
      expect(bytes).toEqual(OBJECT.subarray(100, 300));
      expect(seen[0]?.range).toBe('bytes=100-299');
    } finally {
      client.destroy();
    }
  });

  it('keeps one connection open across sequential requests', async () => {
    const client = local();
    try {
      const store = new S3Store(client, 'gold');
      for (let i = 0; i < 5; i++) await store.getRange('a/b.parquet', i, i + 10);
      expect(seen).toHaveLength(5);
      expect(connections).toBe(1);
    } finally {
      client.destroy();
    }
  });

  it('opens more than the SDK default of 50 sockets when a 92-day range is in flight', async () => {
    const client = local();
    held = [];
    try {
      const store = new S3Store(client, 'gold');
      const all = Promise.all(Array.from({ length: 92 }, (_, i) => store.getRange(`day-${i}`, 0, 8)));
      while (held.length < 92) await new Promise((r) => setTimeout(r, 5));
      expect(connections).toBe(92);
      for (const release of held) release();
      await all;
    } finally {
      client.destroy();
    }
    expect(MAX_SOCKETS).toBeGreaterThanOrEqual(92);
  });

  it('lets the caller add settings (endpoint, credentials, region for tests and the bench) and keeps its socket pool', () => {
    const config = s3ClientConfig({ region: 'eu-west-1', forcePathStyle: true });
    expect(config).toMatchObject({ region: 'eu-west-1', forcePathStyle: true, requestHandler: { httpAgent: { keepAlive: true, maxSockets: MAX_SOCKETS }, httpsAgent: { keepAlive: true, maxSockets: MAX_SOCKETS } } });
  });
});
