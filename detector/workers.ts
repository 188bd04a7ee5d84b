/**
 * Worker threads for the project's parallel work (simulation, inference, prediction):
 * starting a worker from a TypeScript or compiled module, and a small request/reply
 * pool over workers that announce `{ ready }` once loaded and answer `{ id, result }`
 * or `{ id, error }`.
 */
import { Worker } from 'node:worker_threads';

/** Starts the module `script` (path without extension) in a worker, compiled on the fly when running from sources. */
export function startWorker(script: string, workerData?: unknown): Worker {
  return __filename.endsWith('.ts')
    ? new Worker(`require('@swc-node/register'); require(${JSON.stringify(script)});`, { eval: true, workerData })
    : new Worker(`${script}.js`, { workerData });
}

type Reply<R> = { id: number; result?: R; error?: string } | { ready: true; info: unknown } | { failed: string };

export class WorkerPool<Q, R> {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (r: R) => void; reject: (e: Error) => void }>();
  private readonly load: number[];

  private constructor(
    private readonly workers: Worker[],
    /** what the workers announced when ready (e.g. the model version) */
    readonly info: unknown,
  ) {
    this.load = workers.map(() => 0);
    workers.forEach((w, i) =>
      w.on('message', (m: Reply<R>) => {
        if (!('id' in m)) return;
        this.load[i]!--;
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.result as R);
      }),
    );
  }

  /** Starts `size` workers of `script` and waits until every one is ready (or one fails). */
  static async start<Q, R>(script: string, size: number, workerData?: unknown): Promise<WorkerPool<Q, R>> {
    const workers = Array.from({ length: Math.max(1, size) }, () => startWorker(script, workerData));
    const infos = await Promise.all(
      workers.map(
        (w) =>
          new Promise<unknown>((resolve, reject) => {
            w.on('message', (m: Reply<R>) => {
              if ('ready' in m) resolve(m.info);
              else if ('failed' in m) reject(new Error(m.failed));
            });
            w.once('error', reject);
          }),
      ),
    ).catch(async (err: unknown) => {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    });
    return new WorkerPool<Q, R>(workers, infos[0]);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Sends a request to the least busy worker. */
  request(payload: Q, transfer: ArrayBuffer[] = []): Promise<R> {
    const i = this.load.indexOf(Math.min(...this.load));
    this.load[i]!++;
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[i]!.postMessage({ id, payload }, transfer);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The worker side: loads once, then answers every request with `handle`. */
export function serveWorker<Q, R>(port: import('node:worker_threads').MessagePort, load: () => Promise<{ info: unknown; handle: (q: Q) => Promise<{ result: R; transfer?: ArrayBuffer[] }> }>): void {
  load()
    .then(({ info, handle }) => {
      port.postMessage({ ready: true, info });
      port.on('message', ({ id, payload }: { id: number; payload: Q }) => {
        handle(payload)
          .then(({ result, transfer }) => port.postMessage({ id, result }, transfer ?? []))
          .catch((err: unknown) => port.postMessage({ id, error: (err as Error).message }));
      });
    })
    .catch((err: unknown) => port.postMessage({ failed: (err as Error).message }));
}
