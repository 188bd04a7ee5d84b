/** The S3 client the prediction API reads gold with. */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/**
 * A /status request reads up to 92 days at once; with the SDK's default of 50
 * sockets the last 42 GETs would wait for the first ones to finish. Sockets stay
 * open between warm invocations so a lookup never pays a new TCP/TLS handshake.
 * (Checksum settings were measured too: asking S3 for no response checksum on
 * ranged GETs made no difference we could see, so the SDK's defaults stay.)
 */
export const MAX_SOCKETS = 128;

export function s3ClientConfig(overrides: S3ClientConfig = {}): S3ClientConfig {
  const agent = { keepAlive: true, maxSockets: MAX_SOCKETS };
  return { requestHandler: { httpAgent: agent, httpsAgent: agent }, ...overrides };
}

export function createS3Client(overrides: S3ClientConfig = {}): S3Client {
  return new S3Client(s3ClientConfig(overrides));
}
