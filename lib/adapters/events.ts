/** Publishing Afterword's own events on the bus; a partly failed PutEvents is an error, not a shrug. */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';

export interface EventPublisher {
  publish(detailType: string, detail: object): Promise<void>;
}

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly source: string,
  ) {}

  async publish(detailType: string, detail: object): Promise<void> {
    const result = await this.client.send(
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
