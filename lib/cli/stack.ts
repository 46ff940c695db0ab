/**
 * The CLI against a deployed stack: the caller's own AWS credentials (the default chain, or
 * `--profile`), the stack found by name and read through its outputs.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { configHash, DEFAULT_CONFIG_PATH, loadConfig } from '../config/load.js';
import type { EventBridgeEvent } from '../contracts/interaction.js';
import {
  CLI_SOURCE,
  CUSTOMER_ERASURE_REQUESTED,
  type CustomerErasureRequested,
} from '../contracts/erasure.js';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { errorOf, pairs, replayStackDeadLetters, type QueueReplay } from './replay.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { sdkClient } from '../adapters/sdk-clients.js';
import { readSecretString, secretKeySource } from '../runtime-env.js';

export interface StackTarget {
  stackName: string;
  region?: string;
  profile?: string;
  /** Stand-ins for AWS's endpoints (tests run the commands against local components). */
  endpoints?: Partial<
    Record<'cloudformation' | 'dynamodb' | 'logs' | 'sqs' | 'events' | 'secrets' | 'lambda', string>
  >;
}

import { StackError } from './errors.js';

export const clientConfig = (target: StackTarget) => ({
  ...(target.region ? { region: target.region } : {}),
  ...(target.profile ? { profile: target.profile } : {}),
});

/** The region: as given, from the environment, or the profile's (the SDK's own resolution). */
async function regionOf(target: StackTarget): Promise<string> {
  if (target.region) return target.region;
  const probe = new CloudFormationClient(clientConfig(target));
  try {
    return await probe.config.region();
  } catch {
    throw new StackError('no AWS region: give --region, or set AWS_REGION or a profile region');
  } finally {
    probe.destroy();
  }
}

export async function stackOutputs(target: StackTarget): Promise<Record<string, string>> {
  const settings = { region: await regionOf(target), profile: target.profile };
  const cloudformation = sdkClient(
    CloudFormationClient,
    settings,
    target.endpoints?.cloudformation,
  );
  try {
    const { Stacks = [] } = await cloudformation.send(
      new DescribeStacksCommand({ StackName: target.stackName }),
    );
    const [stack] = Stacks;
    if (!stack) throw new StackError(`no stack named ${target.stackName}`);
    return Object.fromEntries(
      (stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
    );
  } catch (error) {
    if (error instanceof StackError) throw error;
    throw new StackError(
      `could not read the stack ${target.stackName}: ${(error as Error).name}: ${(error as Error).message}`,
    );
  } finally {
    cloudformation.destroy();
  }
}

/**
 * A deployed stack, read with the caller's credentials (the `AnalystPolicyArn` policy is enough):
 * its table through the same use cases as locally, its event archive and its dead-letter queues.
 */
export interface DeployedStack {
  outputs: Record<string, string>;
  runtime: Runtime;
  /** The config here differs from the one deployed (targets and programs may not match). */
  configDiffers: boolean;
  /** Afterword's own events from the archive, newest first. */
  events(options: {
    type?: string;
    limit: number;
    sinceDays?: number;
  }): Promise<EventBridgeEvent[]>;
  /** What the dead-letter queues hold: counts, and a look at each one's first messages. */
  deadLetters(): Promise<
    { queue: string; count: number; errors: { at: string; error: string }[] }[]
  >;
  /**
   * Puts a `Customer Erasure Requested` event on the stack's bus (the `PrivacyPolicyArn` policy
   * allows it, and reading the erasure's record back, and nothing else).
   */
  requestErasure(detail: CustomerErasureRequested): Promise<void>;
  /** Re-invokes each function with what its dead-letter queue holds (the operator policy). */
  replayDeadLetters(): Promise<QueueReplay[]>;
  /** Puts one event on the stack's bus under the CLI's source (`forget`, `smoke`). */
  putEvent(detailType: string, detail: unknown): Promise<void>;
  close(): void;
}

export async function openStack(target: StackTarget): Promise<DeployedStack> {
  const outputs = await stackOutputs(target);
  for (const needed of ['TableName', 'EventArchiveLogGroup', 'DeadLetterQueueUrls']) {
    if (!outputs[needed]) {
      throw new StackError(
        `the stack ${target.stackName} has no ${needed} output: deploy this version of Afterword first`,
      );
    }
  }
  const settings = { region: await regionOf(target), profile: target.profile };
  const configPath = process.env.AFTERWORD_CONFIG ?? DEFAULT_CONFIG_PATH;
  const runtime = createRuntime({
    config: loadConfig(configPath),
    tableName: outputs.TableName!,
    ...settings,
    publicBaseUrl: outputs.SurveyUrl,
    // What `smoke --stack` signs its survey link with: read only if it does, with the caller's
    // own GetSecretValue on it (the operator policy).
    ...(outputs.LinkSigningSecretArn
      ? {
          signing: secretKeySource(outputs.LinkSigningSecretArn, {
            ...settings,
            ...(target.endpoints?.secrets
              ? { endpoints: { secrets: target.endpoints.secrets } }
              : {}),
          }),
        }
      : {}),
    // What a tracking run (`launch --stack`) checks consent with: read only if it does, with the
    // caller's own GetSecretValue on it.
    ...(outputs.ConsentKeySecretArn
      ? {
          consentKey: {
            load: () =>
              readSecretString(outputs.ConsentKeySecretArn!, {
                ...settings,
                ...(target.endpoints?.secrets
                  ? { endpoints: { secrets: target.endpoints.secrets } }
                  : {}),
              }),
          },
        }
      : {}),
    ...(target.endpoints?.dynamodb ? { endpoints: { dynamodb: target.endpoints.dynamodb } } : {}),
  });
  const logs = sdkClient(CloudWatchLogsClient, settings, target.endpoints?.logs);
  const sqs = sdkClient(SQSClient, settings, target.endpoints?.sqs);
  let events: EventBridgeClient | undefined;
  const putEvent = async (detailType: string, detail: unknown) => {
    if (!outputs.EventBusName) {
      throw new StackError(`the stack ${target.stackName} has no EventBusName output`);
    }
    const result = await (events ??= sdkClient(
      EventBridgeClient,
      settings,
      target.endpoints?.events,
    )).send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: outputs.EventBusName,
            Source: CLI_SOURCE,
            DetailType: detailType,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    const entry = result.Entries?.[0];
    if (result.FailedEntryCount || !entry?.EventId) {
      throw new StackError(`the bus refused the event: ${entry?.ErrorCode} ${entry?.ErrorMessage}`);
    }
  };

  return {
    outputs,
    runtime,
    configDiffers: Boolean(outputs.ConfigHash) && outputs.ConfigHash !== configHash(configPath),
    async events({ type, limit, sinceDays = 14 }) {
      const found: EventBridgeEvent[] = [];
      let nextToken: string | undefined;
      // The archive is small (one entry per answer); read the period and sort it newest first.
      for (let page = 0; page < 50; page++) {
        const result = await logs.send(
          new FilterLogEventsCommand({
            logGroupName: outputs.EventArchiveLogGroup,
            startTime: Date.now() - sinceDays * 86_400_000,
            nextToken,
          }),
        );
        for (const entry of result.events ?? []) {
          try {
            const event = JSON.parse(entry.message ?? '') as EventBridgeEvent;
            if (!type || event['detail-type'] === type) found.push(event);
          } catch {
            // not an event: the archive holds nothing else, but a stray line is skipped
          }
        }
        nextToken = result.nextToken;
        if (!nextToken) break;
      }
      return found.sort((a, b) => (a.time < b.time ? 1 : -1)).slice(0, limit);
    },
    async deadLetters() {
      const queues = outputs
        .DeadLetterQueueUrls!.split(',')
        .map((pair) => pair.split('=') as [string, string]);
      return Promise.all(
        queues.map(async ([queue, url]) => {
          const { Attributes } = await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: url,
              AttributeNames: ['ApproximateNumberOfMessages'],
            }),
          );
          const count = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
          if (!count) return { queue, count, errors: [] };
          // A look, not a take: the messages stay visible (visibility 0) for a redrive.
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: url,
              MaxNumberOfMessages: 10,
              VisibilityTimeout: 0,
              WaitTimeSeconds: 0,
              MessageSystemAttributeNames: ['SentTimestamp'],
              MessageAttributeNames: ['ERROR_MESSAGE', 'ERROR_CODE'],
            }),
          );
          return {
            queue,
            count,
            errors: Messages.map((message) => ({
              at: new Date(Number(message.Attributes?.SentTimestamp ?? 0)).toISOString(),
              error: errorOf(message.Body, message.MessageAttributes),
            })),
          };
        }),
      );
    },
    requestErasure: (detail) => putEvent(CUSTOMER_ERASURE_REQUESTED, detail),
    putEvent,
    async replayDeadLetters() {
      if (!outputs.ReplayTargets) {
        throw new StackError(
          `the stack ${target.stackName} has no ReplayTargets output: deploy this version of Afterword first`,
        );
      }
      const lambda = sdkClient(LambdaClient, settings, target.endpoints?.lambda);
      try {
        return await replayStackDeadLetters({
          sqs,
          lambda,
          queues: pairs(outputs.DeadLetterQueueUrls!),
          targets: pairs(outputs.ReplayTargets),
        });
      } finally {
        lambda.destroy();
      }
    },
    close() {
      runtime.dynamodb.destroy();
      logs.destroy();
      sqs.destroy();
      events?.destroy();
    },
  };
}
