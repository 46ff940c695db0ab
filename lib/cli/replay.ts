/**
 * `afterword dead-letters --replay [--stack NAME]`: what failed is delivered again, once its cause
 * is fixed (a config or code change deployed, a throttle lifted). Every handler is idempotent
 * (decisions exactly once, sends at most once, erasures resumable), so a replay of something that
 * in fact went through changes nothing.
 *
 * - Locally: each dead letter's event is put back on the local bus it came from (the producer's
 *   raw detail when that is what was kept), and marked replayed in a journal of its own, so the
 *   listing shows what is still waiting. A replay that fails again is a new dead letter.
 * - On AWS: each message of a function's dead-letter queue is invoked again on that function,
 *   asynchronously (Lambda's own retries and on-failure destination apply again), and deleted only
 *   once Lambda has accepted it. Lambda's on-failure records give back their request payload;
 *   EventBridge's dead letters are the event itself. A message neither is stays in its queue.
 */
import { createHash } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { FileJournal, type DeadLetter } from '../local/dead-letters.js';

/** The local dead letters, less those already replayed. */
export class LocalDeadLetters {
  private readonly letters: FileJournal<DeadLetter>;
  private readonly replayed: FileJournal<{ key: string; at: string }>;

  constructor(path: string) {
    this.letters = new FileJournal(path);
    this.replayed = new FileJournal(path.replace(/\.jsonl$/, '.replayed.jsonl'));
  }

  /** Every dead letter with its key (a hash of the letter as written), oldest first. */
  all(): { key: string; letter: DeadLetter; replayed: boolean }[] {
    const done = new Set(this.replayed.list().map((entry) => entry.key));
    return this.letters.list().map((letter) => {
      const key = createHash('sha256').update(JSON.stringify(letter)).digest('hex').slice(0, 32);
      return { key, letter, replayed: done.has(key) };
    });
  }

  /** What still waits for a replay. */
  waiting(): DeadLetter[] {
    return this.all()
      .filter((entry) => !entry.replayed)
      .map((entry) => entry.letter);
  }

  /** Puts each waiting letter's event back on its bus; returns how many went. */
  async replay(
    put: (entry: PutEventsRequestEntry) => Promise<unknown>,
    busName: (bus: 'afterword' | 'default') => string,
    now: () => Date = () => new Date(),
  ): Promise<{ replayed: number; failed: { error: string }[] }> {
    let replayed = 0;
    const failed: { error: string }[] = [];
    for (const { key, letter, replayed: done } of this.all()) {
      if (done) continue;
      const event = letter.event as {
        source?: string;
        'detail-type'?: string;
        detail?: unknown;
      } | null;
      if (!event?.source || !event['detail-type']) {
        failed.push({ error: `dead letter of ${letter.at} holds no event to replay` });
        continue;
      }
      try {
        await put({
          EventBusName: busName(event.source === 'aws.ses' ? 'default' : 'afterword'),
          Source: event.source,
          DetailType: event['detail-type'],
          Detail: letter.rawDetail ?? JSON.stringify(event.detail),
        });
      } catch (error) {
        failed.push({ error: (error as Error).message });
        // The bus is down or refuses: the rest would fare no better.
        break;
      }
      this.replayed.add({ key, at: now().toISOString() });
      replayed += 1;
    }
    return { replayed, failed };
  }
}

export interface QueueReplay {
  queue: string;
  replayed: number;
  /** Left in the queue: not a shape a function can be invoked with again, or Lambda refused it. */
  kept: number;
  errors: string[];
}

/** Rounds of ten messages one queue is read for at most: the replay ends even if failures pour in. */
const MAX_ROUNDS = 100;

/**
 * Replays the deployed stack's dead-letter queues onto their functions (`targets`: queue name →
 * function ARN, the stack's ReplayTargets output; `queues`: queue name → URL).
 */
export async function replayStackDeadLetters(options: {
  sqs: SQSClient;
  lambda: LambdaClient;
  queues: Record<string, string>;
  targets: Record<string, string>;
}): Promise<QueueReplay[]> {
  const results: QueueReplay[] = [];
  for (const [queue, url] of Object.entries(options.queues)) {
    // The event archive's and the alarm notifications' queues feed no function: nothing to replay
    // them onto (an archived event reached its other targets).
    const functionArn = options.targets[queue];
    if (!functionArn) continue;
    const result: QueueReplay = { queue, replayed: 0, kept: 0, errors: [] };
    results.push(result);
    const seen = new Set<string>();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      // Hidden while being replayed, so a second round does not see the same messages; a message
      // kept becomes visible again after the timeout, for the next replay.
      const { Messages = [] } = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 300,
          WaitTimeSeconds: 0,
        }),
      );
      const fresh = Messages.filter((m) => !seen.has(m.MessageId ?? ''));
      if (!fresh.length) break;
      for (const message of fresh) {
        seen.add(message.MessageId ?? '');
        const payload = payloadOf(message.Body);
        if (payload === undefined) {
          result.kept += 1;
          result.errors.push(`message ${message.MessageId}: not an event nor a Lambda record`);
          continue;
        }
        try {
          const invoked = await options.lambda.send(
            new InvokeCommand({
              FunctionName: functionArn,
              InvocationType: 'Event',
              Payload: new TextEncoder().encode(payload),
            }),
          );
          if (invoked.StatusCode !== 202) throw new Error(`Lambda answered ${invoked.StatusCode}`);
        } catch (error) {
          result.kept += 1;
          result.errors.push(`message ${message.MessageId}: ${(error as Error).message}`);
          continue;
        }
        await options.sqs.send(
          new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }),
        );
        result.replayed += 1;
      }
    }
  }
  return results;
}

/** What to invoke the function with again: a Lambda record's request, or the event itself. */
function payloadOf(body: string | undefined): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const record = parsed as { requestContext?: { functionArn?: string }; requestPayload?: unknown };
  if (record.requestContext && 'requestPayload' in record) {
    return JSON.stringify(record.requestPayload);
  }
  return body;
}

/** An output of `name=value,…` pairs (values may hold `=`, never `,`). */
export function pairs(output: string): Record<string, string> {
  return Object.fromEntries(
    output
      .split(',')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

/**
 * Why a dead letter failed, without its payload (which may hold a customer's address): Lambda's
 * on-failure records carry the error in `responsePayload`, EventBridge's in message attributes.
 */
export function errorOf(
  body: string | undefined,
  attributes: Record<string, { StringValue?: string }> | undefined,
): string {
  const fromAttributes =
    attributes?.ERROR_MESSAGE?.StringValue ?? attributes?.ERROR_CODE?.StringValue;
  if (fromAttributes) return fromAttributes;
  try {
    const record = JSON.parse(body ?? '') as {
      responsePayload?: { errorType?: string; errorMessage?: string };
      requestContext?: { condition?: string };
    };
    const payload = record.responsePayload;
    if (payload?.errorType || payload?.errorMessage) {
      return `${payload.errorType ?? 'Error'}: ${(payload.errorMessage ?? '').split('\n')[0]}`;
    }
    if (record.requestContext?.condition) return record.requestContext.condition;
  } catch {
    // not JSON
  }
  return '(no error recorded)';
}
