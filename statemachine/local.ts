/**
 * Runs the real daily definition on this machine with aws-local-stepfunctions: the
 * same file Pulumi deploys, its Task states mapped to local handlers (the run-window
 * Lambda in-process, local job runners in place of EMR, the console in place of SNS).
 * Used by the tests and by `npm start`.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { RunWindow } from '../functions/run-window/window';
import { renderDefinition, type DefinitionValues } from './definition';
import { readModelVersion } from '../detector/model/manifest';

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22); Node 20 lacks it.
const promiseStatics = Promise as unknown as { withResolvers?: <T>() => { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } };
if (!promiseStatics.withResolvers) {
  promiseStatics.withResolvers = <T>() => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

/** What the EMR job tasks receive: the StartJobRun parameters after substitution. */
export interface JobRunRequest {
  ApplicationId: string;
  ExecutionRoleArn: string;
  Name: string;
  ClientToken: string;
  ExecutionTimeoutMinutes: number;
  JobDriver: { SparkSubmit: { EntryPoint: string; EntryPointArguments: string[]; SparkSubmitParameters: string } };
  ConfigurationOverrides: { MonitoringConfiguration: { S3MonitoringConfiguration: { LogUri: string } } };
}

export interface Notification {
  TopicArn: string;
  Subject: string;
  Message: string;
}

export interface LocalHandlers {
  runWindow(payload: { input: unknown; executionName: string }): Promise<RunWindow>;
  ingest(request: JobRunRequest): Promise<unknown>;
  predict(request: JobRunRequest): Promise<unknown>;
  notify(notification: Notification): Promise<void>;
}

/** Values for a local run: recognisable fakes where AWS would have real ARNs. */
export function localDefinitionValues(overrides: Partial<DefinitionValues> = {}): DefinitionValues {
  return {
    RunWindowFunctionArn: 'arn:aws:lambda:local:000000000000:function:run-window',
    EmrApplicationId: 'local00app',
    EmrExecutionRoleArn: 'arn:aws:iam::000000000000:role/local-emr-job',
    BootstrapBucket: 'bootstrap',
    SilverBucket: 'silver',
    GoldBucket: 'gold',
    LogsBucket: 'logs',
    KafkaBootstrapServers: 'localhost:9098',
    KafkaTopic: 'pv-readings',
    PlantTimeZone: 'Europe/Madrid',
    JobTimeoutMinutes: 120,
    JobStateTimeoutSeconds: 8100,
    IngestSparkSubmitParameters: '--conf spark.executor.cores=4',
    PredictSparkSubmitParameters: '--conf spark.executor.cores=4',
    ModelVersion: readModelVersion(),
    NotificationTopicArn: 'arn:aws:sns:local:000000000000:pv-fault-notifications',
    Region: 'local',
    ...overrides,
  };
}

export interface LocalRunOptions {
  executionName: string;
  /** pause of each retry, ms (0 in tests) */
  retryPauseMs?: number;
  /** how long the wait for late readings lasts, ms, instead of until its timestamp (0 in tests that are not about it) */
  waitPauseMs?: number;
}

export function runLocally(values: DefinitionValues, input: unknown, handlers: LocalHandlers, options: LocalRunOptions): Promise<unknown> {
  const machine = new StateMachine(renderDefinition(values) as never);
  const pause = options.retryPauseMs;
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: {
        ResolveWindow: async (params: { Payload: { input: unknown; executionName: string } }) => ({ StatusCode: 200, Payload: await handlers.runWindow(params.Payload) }),
        IngestData: (params: JobRunRequest) => handlers.ingest(params),
        PredictFault: (params: JobRunRequest) => handlers.predict(params),
        NotifySuccess: async (params: Notification) => {
          await handlers.notify(params);
          return { MessageId: 'local' };
        },
        NotifyFailure: async (params: Notification) => {
          await handlers.notify(params);
          return { MessageId: 'local' };
        },
      } as never,
      ...(pause === undefined ? {} : { retryIntervalOverrides: { ResolveWindow: pause, IngestData: pause, PredictFault: pause } }),
      ...(options.waitPauseMs === undefined ? {} : { waitTimeOverrides: { WaitForLateReadings: options.waitPauseMs } }),
    },
    context: {
      Execution: {
        Id: `arn:aws:states:${values.Region}:000000000000:execution:pv-fault-daily:${options.executionName}`,
        Name: options.executionName,
        Input: input,
        StartTime: new Date().toISOString(),
      },
    } as never,
  });
  return execution.result;
}
