/** s3rver as a separate process (benchmarks: S3's work must not share the caller's event loop). */
import { atomicS3rver } from './s3rverAtomic';

const [directory, buckets] = [process.argv[2]!, process.argv[3]!.split(',')];
const server = atomicS3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
void server.run().then((info) => process.send?.({ port: (info as { port: number }).port }));
process.on('disconnect', () => void server.close().then(() => process.exit(0)));
