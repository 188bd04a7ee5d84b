/**
 * kafkajs against MSK Serverless: TLS on 9098 with SASL OAUTHBEARER, the bearer
 * token being a SigV4-presigned kafka-cluster:Connect request made by AWS's
 * aws-msk-iam-sasl-signer-js from the task role's credentials.
 */
import { generateAuthToken, type GenerateAuthTokenResponse } from 'aws-msk-iam-sasl-signer-js';
import { Kafka, Partitioners, type KafkaConfig, type OauthbearerProviderResponse } from 'kafkajs';
import type { ProducerConfig } from './config';
import { kafkaLogCreator, kafkaLogLevel, type Logger } from './log';
import type { KafkaAdminLike, KafkaProducerLike } from './publisher';

export type TokenGenerator = (options: { region: string }) => Promise<GenerateAuthTokenResponse>;

/**
 * The oauthBearerProvider kafkajs calls on each (re)authentication. Tokens are
 * reused until a minute before they expire: signing is cheap, but the
 * credential chain behind it need not be asked on every broker connection.
 */
export function mskIamTokenProvider(region: string, generate: TokenGenerator = generateAuthToken, now: () => number = Date.now): () => Promise<OauthbearerProviderResponse> {
  let cached: GenerateAuthTokenResponse | null = null;
  return async () => {
    if (cached === null || cached.expiryTime - now() < 60_000) cached = await generate({ region });
    return { value: cached.token };
  };
}

export function kafkaClientConfig(config: ProducerConfig, logger: Logger, generate?: TokenGenerator): KafkaConfig {
  const k = config.kafka;
  const base: KafkaConfig = {
    clientId: k.clientId,
    brokers: k.brokers,
    connectionTimeout: k.connectionTimeoutMs,
    requestTimeout: k.requestTimeoutMs,
    retry: { retries: k.retries, initialRetryTime: 300, maxRetryTime: 30_000 },
    logLevel: kafkaLogLevel(config.logLevel),
    logCreator: kafkaLogCreator(logger),
  };
  if (k.auth.kind === 'plaintext') return base;
  return { ...base, ssl: true, sasl: { mechanism: 'oauthbearer', oauthBearerProvider: mskIamTokenProvider(k.auth.region, generate) } };
}

export function createKafkaClients(config: ProducerConfig, logger: Logger): { producer: KafkaProducerLike; admin: KafkaAdminLike } {
  const kafka = new Kafka(kafkaClientConfig(config, logger));
  const producer = kafka.producer({
    idempotent: true,
    // kafkajs keeps ordering under idempotence only with one request in flight per connection
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // the Java client's murmur2 partitioner: the same key → partition mapping as local/topic.ts and Spark
    createPartitioner: Partitioners.DefaultPartitioner,
    // kafkajs's retries keep the batch's sequence numbers, so the broker de-duplicates a request it already
    // appended; the default 10 wait ~2 min in all, which carries a broker restart, and stay finite so that a
    // broker that does not come back ends in a counted drop and an unhealthy task, not a stuck sender
    retry: { retries: config.kafka.retries, initialRetryTime: 300, maxRetryTime: 30_000 },
  });
  return { producer, admin: kafka.admin() };
}
