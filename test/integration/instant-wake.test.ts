/** `afterword start --instant`: intake wakes the dispatcher, so the email does not wait for a tick. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../lib/local/stack.js';
import { interaction, startTestStack, waitForEmails } from '../support/harness.js';

describe('instant mode', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    // A tick far beyond the wait below: only the wake-up can deliver the email in time.
    stack = await startTestStack('instant-wake', { instant: true, dispatchIntervalMs: 600_000 });
  });
  afterAll(() => stack.stop());

  it('sends the survey as soon as intake has decided it', async () => {
    const detail = interaction();
    const producer = new EventBridgeClient({
      endpoint: stack.urls.bus,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await producer.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'afterword',
            Source: 'test',
            DetailType: 'Interaction Completed',
            Detail: JSON.stringify({ ...detail, occurredAt: new Date().toISOString() }),
          },
        ],
      }),
    );
    producer.destroy();
    const emails = await waitForEmails(detail.customer.email!, 1, 5_000);
    expect(emails).toHaveLength(1);
  });
});
