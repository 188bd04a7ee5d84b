/**
 * Loopback ports for servers that local runs and tests start (the Kafka broker, a Modbus server, a health port):
 * chosen outside the kernel's ephemeral range, so that nothing but an explicit bind can take one in the moment
 * between choosing it and the server binding it.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The kernel's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range), from which it hands out ports
 * to `listen(0)` and to outgoing connections. A port picked inside it and then released can be taken again
 * before the server binds it: by another listener, by an outgoing connection, or by the startup probe's own
 * connection to that very port (a TCP self-connect). A CI run failed so on 2026-12-07 (the broker's bind on a
 * port freePort had released: "Address already in use").
 */
function ephemeralRange(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high) && low > 0 && high >= low) return { low, high };
  } catch {
    // not Linux: the IANA dynamic range, which macOS and Windows use
  }
  return { low: 49152, high: 65535 };
}

/** ports this process handed out already: two calls in a row must not return the same one */
const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A loopback port nothing listens on, chosen outside the kernel's ephemeral range (see ephemeralRange), so that
 * nothing but an explicit bind can take it before the server it is meant for binds it.
 */
export async function freePort(): Promise<number> {
  const { low, high } = ephemeralRange();
  // below the ephemeral range if it leaves room there (Linux's default: 10000..32767), above it otherwise
  const [from, to] = low > 11_000 ? [10_000, low - 1] : [high + 1, 65_535];
  if (to - from < 100) throw new Error(`no room for a local server's port outside the ephemeral range ${low}-${high}`);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free loopback port in ${from}-${to} after 200 attempts`);
}
