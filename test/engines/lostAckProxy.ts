/**
 * A TCP proxy in front of one Kafka broker that loses a Produce acknowledgement on purpose.
 *
 * Armed, it forwards the next Produce request to the broker, withholds the broker's answer and goes
 * dark: every connection is closed and new ones are refused until `resume()` (the test stops the
 * broker meanwhile, so the retry cannot reach the broker that appended the batch). The producer never
 * learns that the broker appended the batch, and has to send it again to a broker that has since
 * been restarted. That is the one path on which an idempotent producer can write a batch twice.
 * A broker stopped at a random moment reaches it only when the stop happens to fall inside a request,
 * which is luck; the proxy makes it happen every time.
 *
 * It reads just enough of the protocol to know where frames end, and which request a response
 * answers: a request is [size][api key][api version][correlation id]…, a response [size][correlation id]….
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

const PRODUCE = 0;

export interface LostAcknowledgement {
  correlationId: number;
  apiVersion: number;
  /** per partition of the request, the error code of the broker's withheld answer (0: appended) */
  partitions: { topic: string; partition: number; errorCode: number; baseOffset: bigint }[];
}

/** Calls `onFrame` with each whole size-prefixed frame of a byte stream. */
function frameReader(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const end = 4 + pending.readInt32BE(0);
      if (pending.length < end) break;
      onFrame(pending.subarray(0, end));
      pending = pending.subarray(end);
    }
  };
}

/** The per-partition results of a Produce response, versions 5–7 (what kafkajs 2.2 speaks to Kafka 3.x). */
function produceResponsePartitions(frame: Buffer, apiVersion: number): LostAcknowledgement['partitions'] {
  if (apiVersion < 5 || apiVersion > 7) throw new Error(`Produce response version ${apiVersion} is not read here (5–7 are)`);
  let at = 8; // size, correlation id
  const out: LostAcknowledgement['partitions'] = [];
  const topics = frame.readInt32BE(at);
  at += 4;
  for (let t = 0; t < topics; t++) {
    const nameLength = frame.readInt16BE(at);
    const topic = frame.toString('utf8', at + 2, at + 2 + nameLength);
    at += 2 + nameLength;
    const partitions = frame.readInt32BE(at);
    at += 4;
    for (let p = 0; p < partitions; p++) {
      out.push({ topic, partition: frame.readInt32BE(at), errorCode: frame.readInt16BE(at + 4), baseOffset: frame.readBigInt64BE(at + 6) });
      at += 4 + 2 + 8 + 8 + 8; // partition, error code, base offset, log append time, log start offset
    }
  }
  return out;
}

export class LostAckProxy {
  private readonly sockets = new Set<Socket>();
  private armed = false;
  private dark = false;
  readonly lost: LostAcknowledgement[] = [];
  private waiting: ((lost: LostAcknowledgement) => void) | null = null;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly upstreamPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Listens on a free loopback port and forwards to the broker's port (which need not be up yet). */
  static async start(upstreamPort: number): Promise<LostAckProxy> {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
    return new LostAckProxy(server, port, upstreamPort);
  }

  /** host:port for clients (the broker advertises the proxy's port, so they stay behind it) */
  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Loses the answer to the next Produce request; resolves with it, once it is lost and the proxy has gone dark. */
  loseNextAcknowledgement(timeoutMs: number): Promise<LostAcknowledgement> {
    this.armed = true;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`no Produce request passed the proxy within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiting = (lost) => {
        clearTimeout(timer);
        resolve(lost);
      };
    });
  }

  /** Lets clients through again (once the broker that appended the batch is gone). */
  resume(): void {
    this.dark = false;
  }

  async close(): Promise<void> {
    this.closeAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private closeAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private accept(client: Socket): void {
    if (this.dark) {
      client.destroy();
      return;
    }
    const upstream = connect(this.upstreamPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    // the Produce request on this connection whose answer is to be lost
    let target: { correlationId: number; apiVersion: number } | null = null;
    client.on(
      'data',
      frameReader((frame) => {
        if (this.armed && frame.readInt16BE(4) === PRODUCE) {
          this.armed = false;
          target = { correlationId: frame.readInt32BE(8), apiVersion: frame.readInt16BE(6) };
        }
        upstream.write(frame);
      }),
    );
    upstream.on(
      'data',
      frameReader((frame) => {
        if (this.dark) return;
        if (target !== null && frame.readInt32BE(4) === target.correlationId) {
          const lost: LostAcknowledgement = { ...target, partitions: produceResponsePartitions(frame, target.apiVersion) };
          this.lost.push(lost);
          this.dark = true;
          this.closeAll();
          this.waiting?.(lost);
          this.waiting = null;
          return;
        }
        client.write(frame);
      }),
    );
  }
}
