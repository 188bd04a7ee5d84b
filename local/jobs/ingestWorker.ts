/** Worker thread of the local ingest job: a topic partition in, its silver part file and quarantine out. */
import { parentPort } from 'node:worker_threads';
import { serveWorker } from '../../detector/workers';
import { ingestPartition, type PartitionIngest, type PartitionRequest } from './ingestPartition';

if (!parentPort) throw new Error('ingestWorker.ts runs only as a worker thread');
serveWorker<PartitionRequest, PartitionIngest>(parentPort, async () => ({
  info: null,
  handle: async (q) => {
    const result = ingestPartition(q);
    return { result, transfer: [result.silver.buffer as ArrayBuffer] };
  },
}));
