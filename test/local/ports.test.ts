/**
 * The ports local servers are started on (local/ports.ts freePort: the test broker, a Modbus server) lie outside the kernel's ephemeral range, so no
 * `listen(0)` and no outgoing connection (a startup probe's own included) can take one before its server binds it.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from '../../local/ports';

function ephemeral(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return [low ?? 49152, high ?? 65535];
  } catch {
    return [49152, 65535];
  }
}

it('hands out distinct loopback ports outside the ephemeral range that can be bound', async () => {
  const [low, high] = ephemeral();
  const ports: number[] = [];
  for (let i = 0; i < 20; i++) ports.push(await freePort());
  expect(new Set(ports).size).toBe(ports.length);
  for (const port of ports) {
    expect(port < low || port > high).toBe(true);
    expect(port).toBeGreaterThanOrEqual(1024);
    expect(port).toBeLessThanOrEqual(65535);
  }
  // the port is really free: a server binds it
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ports[0], '127.0.0.1', resolve);
  });
  await new Promise((r) => server.close(r));
});
