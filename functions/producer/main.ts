/**
 * The container's entry point: configuration from the environment, the health
 * endpoint first (so ECS sees "starting" rather than a refused connection), then
 * the service; SIGTERM (ECS stopping the task) and SIGINT flush and exit 0.
 */
import { systemClock, type Clock } from './clock';
import { parseProducerConfig, ProducerConfigError, type ProducerConfig } from './config';
import { startHealthServer } from './health';
import { createKafkaClients } from './kafka';
import { createLogger, type Logger } from './log';
import { Metrics } from './metrics';
import { ProducerService } from './service';
import { ModbusSource } from './sources/modbus';
import { SimulatorSource } from './sources/simulator';
import type { ScadaSource } from './sources/types';

/** The configured source, on the service's clock (a simulated day replayed faster than real time gets a fast one). */
export function createSource(config: ProducerConfig, logger: Logger, metrics: Metrics, clock: Clock = systemClock): ScadaSource {
  const s = config.source;
  if (s.kind === 'simulator') {
    return new SimulatorSource({ devices: s.devices, templates: s.templates, seed: s.seed, timeZone: s.timeZone, design: s.design, pollIntervalMs: config.pollIntervalMs }, clock, logger);
  }
  return new ModbusSource({ registerMap: s.registerMap, concurrency: s.concurrency }, clock, logger, metrics);
}

async function main(): Promise<void> {
  let config: ProducerConfig;
  try {
    config = parseProducerConfig(process.env);
  } catch (err) {
    const problems = err instanceof ProducerConfigError ? err.problems : [(err as Error).message];
    createLogger('info').error('invalid configuration', { problems });
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  const metrics = new Metrics(config.metrics.namespace);
  const { producer, admin } = createKafkaClients(config, logger);
  const service = new ProducerService(config, { source: createSource(config, logger, metrics), producer, admin, logger, metrics, clock: systemClock });
  const health = await startHealthServer(config.health.port, () => service.health());

  let exiting = false;
  const exit = async (signal: string, code: number): Promise<void> => {
    if (exiting) return;
    exiting = true;
    await service.stop(signal);
    await health.close();
    process.exit(code);
  };
  process.on('SIGTERM', () => void exit('SIGTERM', 0));
  process.on('SIGINT', () => void exit('SIGINT', 0));
  process.on('unhandledRejection', (err) => {
    logger.error('unhandled rejection', { error: err });
    void exit('unhandledRejection', 1);
  });

  try {
    await service.start();
  } catch (err) {
    logger.error('start failed', { error: err });
    await exit('start failed', 1);
  }
}

if (require.main === module) void main();
