/**
 * The device registry the ingest tests hand the local ingest: the state machine's
 * --registry-uri, and a bucket that holds it beside the test's own silver writer.
 */
import type { SilverDeviceRegistryRow } from '../../contracts';
import type { ObjectWriter } from '../../contracts/partition';
import { REGISTRY_KEY, registryText } from '../../contracts/registry';

export const REGISTRY_URI = `s3://bootstrap/${REGISTRY_KEY}`;
export const REGISTRY_ARGS = ['--registry-uri', REGISTRY_URI] as const;

/** writerFor for runIngest: the bootstrap bucket serves the registry (`rows`; default: none, every device then gets the default design), any other bucket is `writer`. */
export function withRegistry(writer: ObjectWriter, rows: readonly SilverDeviceRegistryRow[] = []): (bucket: string) => ObjectWriter {
  const text = registryText(rows);
  const bootstrap: ObjectWriter = {
    put: async (key) => {
      throw new Error(`the ingest must not write to the bootstrap bucket (${key})`);
    },
    getText: async (key) => (key === REGISTRY_KEY ? text : null),
  };
  return (bucket) => (bucket === 'bootstrap' ? bootstrap : writer);
}
