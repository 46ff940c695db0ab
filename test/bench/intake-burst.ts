/**
 * Benchmark: a burst of events through the local bus into intake (DynamoDB Local), with nothing
 * lost. Reports events per second end to end (PutEvents accepted → every decision written).
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { randomUUID } from 'node:crypto';
import { startLocalStack } from '../../lib/local/stack.js';

export interface IntakeBurstResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  putEventsSeconds: number;
  decisionsWritten: number;
  deadLetters: number;
  busConcurrency: number;
}

export async function intakeBurst(
  endpoints: { dynamodb: string; ses: string },
  events = 10_000,
): Promise<IntakeBurstResult> {
  const stack = await startLocalStack({
    ports: { dynamodb: 0, ses: 0, bus: 0, web: 0 },
    external: endpoints,
    tableName: `bench-${randomUUID()}`,
  });
  try {
    const client = new EventBridgeClient({
      endpoint: stack.urls.bus,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    const occurredAt = new Date().toISOString();
    const batches = Array.from({ length: Math.ceil(events / 10) }, (_, b) =>
      Array.from({ length: Math.min(10, events - b * 10) }, (_, i) => {
        const n = b * 10 + i;
        return {
          EventBusName: 'afterword',
          Source: 'bench',
          DetailType: 'Interaction Completed',
          Detail: JSON.stringify({
            interactionId: `bench-${n}`,
            occurredAt,
            touchpoint: ['support-call', 'order-delivered', 'chat-closed'][n % 3],
            channel: 'web',
            customer: {
              id: `bench-customer-${n}`,
              email: `bench-${n}@example.com`,
              locale: 'en-GB',
              segment: 'smb',
            },
          }),
        };
      }),
    );
    const started = performance.now();
    let rejected = 0;
    const senders = Array.from({ length: 8 }, async (_, worker) => {
      for (let b = worker; b < batches.length; b += 8) {
        const result = await client.send(new PutEventsCommand({ Entries: batches[b] }));
        rejected += result.FailedEntryCount ?? 0;
      }
    });
    await Promise.all(senders);
    const accepted = performance.now();
    await stack.bus.idle();
    const finished = performance.now();
    client.destroy();
    if (rejected) throw new Error(`the bus rejected ${rejected} entries`);

    let written = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await stack.runtime.dynamodb.send(
        new ScanCommand({
          TableName: stack.runtime.settings.tableName,
          Select: 'COUNT',
          FilterExpression: 'begins_with(pk, :inv)',
          ExpressionAttributeValues: { ':inv': { S: 'INV#' } },
          ExclusiveStartKey: startKey as never,
        }),
      );
      written += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);

    const seconds = (finished - started) / 1000;
    return {
      events,
      seconds,
      eventsPerSecond: events / seconds,
      putEventsSeconds: (accepted - started) / 1000,
      decisionsWritten: written,
      deadLetters: stack.deadLetters.list().length,
      busConcurrency: 16,
    };
  } finally {
    await stack.stop();
  }
}
