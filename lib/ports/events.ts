/** Publishing Afterword's own events, as the use cases see it (a port); EventBridge is its adapter. */
export interface EventPublisher {
  publish(detailType: string, detail: object): Promise<void>;
}
