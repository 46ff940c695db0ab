/**
 * The AWS calls each function makes, recorded while the tests run: an SDK middleware on every
 * client the runtime builds notes the IAM action, the resources IAM authorises it against and the
 * condition keys it carries, under the function whose handler is running (`inFunction`). Every
 * test worker appends what it saw to `test-artifacts/aws-calls/`; the permission contract
 * (test/permissions/) evaluates all of it against the synthesized roles once the tests are done.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { currentFunction, type FunctionName } from '../../lib/adapters/function-scope.js';
import { onSdkClient, type SdkClient } from '../../lib/adapters/sdk-clients.js';

export const AWS_CALLS_DIR = join(import.meta.dirname, '../../test-artifacts/aws-calls');

/** What IAM authorises a call against, before it is mapped onto the stack's resources. */
export type CallResource =
  | { type: 'table'; index?: string }
  | { type: 'ses-identity'; fromAddress: string }
  | { type: 'ses-configuration-set'; name: string }
  | { type: 'event-bus'; name: string }
  | { type: 'secret'; id: string }
  | { type: 'stack'; name: string }
  | { type: 'log-group'; name: string }
  | { type: 'queue'; url: string }
  | { type: 'bucket-object'; bucket: string; key: string }
  | { type: 'function'; arn: string }
  | { type: 'any' };

export interface RecordedCall {
  /** The function whose code made the call; null outside every handler (tests, the CLI). */
  function: FunctionName | null;
  /** The IAM action, e.g. `dynamodb:Query`. */
  action: string;
  resource: CallResource;
  /** Condition keys the request carries (multi-valued keys as arrays). */
  context: Record<string, string | string[]>;
}

interface Request {
  clientName: string;
  commandName: string;
  input: Record<string, unknown>;
}

const IAM_PREFIX: Record<string, string> = {
  DynamoDBClient: 'dynamodb',
  SESv2Client: 'ses',
  EventBridgeClient: 'events',
  SecretsManagerClient: 'secretsmanager',
  CloudFormationClient: 'cloudformation',
  CloudWatchLogsClient: 'logs',
  SQSClient: 'sqs',
  LambdaClient: 'lambda',
  S3Client: 's3',
};

/**
 * What a dynamodb:Attributes and a dynamodb:Select condition test: the top-level attributes a
 * projection names (its `#name` placeholders resolved) and the Select parameter, when given.
 */
function attributeContextOf(input: Record<string, unknown>): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {};
  if (typeof input.Select === 'string') context['dynamodb:Select'] = input.Select;
  if (typeof input.ProjectionExpression === 'string') {
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    context['dynamodb:Attributes'] = input.ProjectionExpression.split(',').map((path) => {
      const top = path.trim().split(/[.[]/)[0]!;
      return names[top] ?? top;
    });
  }
  return context;
}

/** The IAM requests one SDK call is authorised as: one per resource it touches. */
export function iamRequestsOf({
  clientName,
  commandName,
  input,
}: Request): Omit<RecordedCall, 'function'>[] {
  const prefix = IAM_PREFIX[clientName];
  if (!prefix) throw new Error(`the AWS call recorder does not know ${clientName}`);
  const action = `${prefix}:${commandName.replace(/Command$/, '')}`;
  const none = {};
  switch (prefix) {
    case 'dynamodb': {
      if (input.RequestItems) {
        return Object.keys(input.RequestItems).map(() => ({
          action,
          resource: { type: 'table' },
          context: none,
        }));
      }
      // The partition key an item call touches: what a dynamodb:LeadingKeys condition tests.
      const leadingOf = (item: Record<string, unknown> | undefined) => {
        const key = (item?.Key as Record<string, unknown> | undefined)?.pk;
        return typeof key === 'string' ? key : (key as { S?: string } | undefined)?.S;
      };
      if (Array.isArray(input.TransactItems)) {
        // IAM has no TransactWriteItems action: each item is authorised as its own operation
        // (developer guide, "Using IAM with DynamoDB transactions").
        const OPERATION: Record<string, string> = {
          Put: 'PutItem',
          Update: 'UpdateItem',
          Delete: 'DeleteItem',
          ConditionCheck: 'ConditionCheckItem',
          Get: 'GetItem',
        };
        return (input.TransactItems as Record<string, Record<string, unknown>>[]).flatMap((item) =>
          Object.entries(item).map(([operation, request]) => {
            const leading = leadingOf(request);
            return {
              action: `dynamodb:${OPERATION[operation] ?? operation}`,
              resource: { type: 'table' as const },
              context: leading ? { 'dynamodb:LeadingKeys': [leading] } : none,
            };
          }),
        );
      }
      const index = typeof input.IndexName === 'string' ? input.IndexName : undefined;
      const leading = leadingOf(input);
      return [
        {
          action,
          resource: { type: 'table', ...(index ? { index } : {}) },
          context: {
            ...(leading ? { 'dynamodb:LeadingKeys': [leading] } : {}),
            ...attributeContextOf(input),
          },
        },
      ];
    }
    case 'ses': {
      if (commandName !== 'SendEmailCommand')
        return [{ action, resource: { type: 'any' }, context: none }];
      const from = typeof input.FromEmailAddress === 'string' ? input.FromEmailAddress : '';
      const fromAddress = /<([^>]+)>/.exec(from)?.[1] ?? from;
      const context = { 'ses:FromAddress': fromAddress };
      const requests: Omit<RecordedCall, 'function'>[] = [
        { action, resource: { type: 'ses-identity', fromAddress }, context },
      ];
      if (typeof input.ConfigurationSetName === 'string') {
        requests.push({
          action,
          resource: { type: 'ses-configuration-set', name: input.ConfigurationSetName },
          context,
        });
      }
      return requests;
    }
    case 'events': {
      const entries = (input.Entries ?? []) as {
        EventBusName?: string;
        Source?: string;
        DetailType?: string;
      }[];
      const buses = [...new Set(entries.map((e) => e.EventBusName ?? 'default'))];
      const context = {
        'events:source': [...new Set(entries.map((e) => e.Source ?? ''))].sort(),
        'events:detail-type': [...new Set(entries.map((e) => e.DetailType ?? ''))].sort(),
      };
      return buses.map((name) => ({ action, resource: { type: 'event-bus', name }, context }));
    }
    case 'secretsmanager':
      return [{ action, resource: { type: 'secret', id: String(input.SecretId) }, context: none }];
    case 'cloudformation':
      return [
        { action, resource: { type: 'stack', name: String(input.StackName) }, context: none },
      ];
    case 'logs':
      return [
        {
          action,
          resource: { type: 'log-group', name: String(input.logGroupName) },
          context: none,
        },
      ];
    case 'sqs':
      return [{ action, resource: { type: 'queue', url: String(input.QueueUrl) }, context: none }];
    case 'lambda':
      return [
        {
          // Invoke is authorised as lambda:InvokeFunction.
          action: commandName === 'InvokeCommand' ? 'lambda:InvokeFunction' : action,
          resource: { type: 'function', arn: String(input.FunctionName) },
          context: none,
        },
      ];
    case 's3':
      return [
        {
          action,
          resource: { type: 'bucket-object', bucket: String(input.Bucket), key: String(input.Key) },
          context: none,
        },
      ];
    default:
      throw new Error(`no IAM mapping for ${prefix}`);
  }
}

/** Records every call of every client built from now on in this process, until stopped. */
export function recordAwsCalls(): () => void {
  mkdirSync(AWS_CALLS_DIR, { recursive: true });
  const file = join(AWS_CALLS_DIR, `${process.pid}-${threadId}.jsonl`);
  const seen = new Set<string>();
  const record = (call: RecordedCall) => {
    const line = JSON.stringify(call);
    if (seen.has(line)) return;
    seen.add(line);
    appendFileSync(file, `${line}\n`);
  };
  return onSdkClient((client: SdkClient) => {
    const middleware =
      (next: (args: unknown) => Promise<unknown>, context: Record<string, unknown>) =>
      (args: { input: Record<string, unknown> }) => {
        const fn = currentFunction() ?? null;
        for (const request of iamRequestsOf({
          clientName: String(context.clientName),
          commandName: String(context.commandName),
          input: args.input,
        })) {
          record({ function: fn, ...request });
        }
        return next(args);
      };
    client.middlewareStack.add(
      middleware as never,
      {
        step: 'initialize',
        name: 'awsCallRecorder',
      } as never,
    );
  });
}

export function clearRecordedCalls(): void {
  rmSync(AWS_CALLS_DIR, { recursive: true, force: true });
}

/** Every call recorded by every test worker of the last run, without repeats. */
export function readRecordedCalls(): RecordedCall[] {
  let files: string[] = [];
  try {
    files = readdirSync(AWS_CALLS_DIR).filter((name) => name.endsWith('.jsonl'));
  } catch {
    return [];
  }
  const lines = new Set(
    files.flatMap((name) =>
      readFileSync(join(AWS_CALLS_DIR, name), 'utf8').split('\n').filter(Boolean),
    ),
  );
  return [...lines].map((line) => JSON.parse(line) as RecordedCall);
}
