/** Publishing Afterword's own events on the bus; a partly failed PutEvents is an error, not a shrug. */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { lazily, type Lazy } from './lazy.js';
import type { EventPublisher } from '../ports/events.js';

export class EventBridgePublisher implements EventPublisher {
  private readonly client: () => Promise<EventBridgeClient>;

  constructor(
    /** The client, or how to make it: the SDK module then loads with the first event. */
    client: Lazy<EventBridgeClient>,
    private readonly busName: string,
    private readonly source: string,
  ) {
    this.client = lazily(client);
  }

  async publish(detailType: string, detail: object): Promise<void> {
    const [{ PutEventsCommand }, client] = await Promise.all([
      import('@aws-sdk/client-eventbridge'),
      this.client(),
    ]);
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: this.source,
            DetailType: detailType,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    if (result.FailedEntryCount) {
      const entry = result.Entries?.find((e) => e.ErrorCode);
      throw new Error(
        `PutEvents failed for ${detailType}: ${entry?.ErrorCode} ${entry?.ErrorMessage}`,
      );
    }
  }
}
