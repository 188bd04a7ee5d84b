/** The test broker's start is bounded and says why it failed, instead of hanging a test run. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafkaBroker } from '../../local/kafkaBroker';
import { freePort } from '../../local/ports';

let dir: string;
let taken: Server;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kafka-start-'));
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
});

afterAll(() => {
  taken.close();
  rmSync(dir, { recursive: true, force: true });
});

it('fails with the broker log when its port is taken, and leaves no broker running', async () => {
  const port = (taken.address() as { port: number }).port;
  const free = await freePort();
  await expect(startKafkaBroker({ dir: join(dir, 'taken'), ports: { broker: port, controller: free } })).rejects.toThrow(/the Kafka broker (exited with code \d+ while starting|did not answer on 127\.0\.0\.1:\d+ within \d+ s); .*broker\.log:\n[\s\S]*(Address already in use|BindException)/);
}, 120_000);
