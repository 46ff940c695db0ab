/**
 * A local EventBridge: a PutEvents-compatible endpoint (AWS JSON 1.1, per-entry results as AWS
 * returns them) that routes each event by the same rule patterns as the CDK stack to in-process
 * targets, asynchronously, with retries and a dead-letter store, like EventBridge → Lambda.
 * Nothing a producer sends can stop it: every failure of a target, the journals or the event log is
 * caught and logged with ids, and the event dead-lettered with its raw detail.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { log } from '../adapters/log.js';
import type { EventBridgeEvent } from '../contracts/interaction.js';
import type { RuleDefinition } from '../contracts/rules.js';
import type { DeadLetter, DeadLetterSink } from './dead-letters.js';
import { matches } from './pattern.js';
import { busOf, readBody, sendJson } from './bus-http.js';

export type Target = (event: EventBridgeEvent) => Promise<unknown>;

export interface LocalBusOptions {
  busName: string;
  rules: readonly RuleDefinition[];
  targets: Record<RuleDefinition['target'], Target>;
  deadLetters: DeadLetterSink;
  /** Tries per delivery before dead-lettering (errors named in `permanentErrors` get one). */
  maxAttempts?: number;
  /** Error names that no retry can fix. */
  permanentErrors?: string[];
  /** Deliveries in flight at once, like a Lambda concurrency limit. */
  concurrency?: number;
  /** Sees every accepted event, routed or not (a local event log). */
  onAccepted?: (event: EventBridgeEvent) => void;
  account?: string;
  region?: string;
}

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

interface Delivery {
  rule: RuleDefinition;
  event: EventBridgeEvent;
  /** The detail as the producer put it (PutEvents), kept for the dead letter. */
  rawDetail?: string;
  attempt: number;
}

export class LocalEventBus {
  private server?: Server;
  private readonly queue: Delivery[] = [];
  private inFlight = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private retryTimers = new Set<NodeJS.Timeout>();
  delivered = 0;

  constructor(private readonly options: LocalBusOptions) {}

  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => {
        log.error('bus.request-failed', { error: error.message });
        if (!res.headersSent) {
          sendJson(res, 500, { __type: 'InternalException', message: 'internal error' });
        } else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const { port: actual } = server.address() as AddressInfo;
    return `http://${host}:${actual}`;
  }

  async close(): Promise<void> {
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  /** Resolves when every accepted event has been delivered or dead-lettered. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Accepts one event as PutEvents would (also used in-process); returns its id. */
  accept(entry: {
    source: string;
    detailType: string;
    detail: unknown;
    time?: Date;
    resources?: string[];
    /** Which bus it was put on: the stack's own, or the account's default (where SES publishes). */
    bus?: RuleDefinition['bus'];
    rawDetail?: string;
  }): string {
    const event: EventBridgeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.detailType,
      source: entry.source,
      account: this.options.account ?? '000000000000',
      time: (entry.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.options.region ?? 'us-east-1',
      resources: entry.resources ?? [],
      detail: entry.detail,
    };
    try {
      this.options.onAccepted?.(event);
    } catch (error) {
      log.error('bus.event-log-failed', { eventId: event.id, error: (error as Error).message });
    }
    const bus = entry.bus ?? 'afterword';
    for (const rule of this.options.rules) {
      if (rule.bus === bus && matches(rule.pattern, event))
        this.queue.push({ rule, event, rawDetail: entry.rawDetail, attempt: 1 });
    }
    this.pump();
    return event.id;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
      return sendJson(res, 400, {
        __type: 'UnknownOperationException',
        message: `the local bus supports only AWSEvents.PutEvents, got ${String(target ?? req.method)}`,
      });
    }
    const body = await readBody(req, MAX_REQUEST_BYTES);
    if (body === undefined) {
      return sendJson(res, 400, {
        __type: 'ValidationException',
        message: 'Total size of the entries in the request is over the limit.',
      });
    }
    let request: { Entries?: unknown };
    try {
      request = JSON.parse(body) as { Entries?: unknown };
    } catch {
      return sendJson(res, 400, {
        __type: 'SerializationException',
        message: 'request body is not valid JSON',
      });
    }
    const entries = request.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      return sendJson(res, 400, {
        __type: 'ValidationException',
        message: `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      });
    }
    const results = entries.map((entry) => this.acceptEntry(entry as Record<string, unknown>));
    sendJson(res, 200, {
      FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length,
      Entries: results,
    });
  }

  private acceptEntry(
    entry: Record<string, unknown>,
  ): { EventId: string } | { ErrorCode: string; ErrorMessage: string } {
    const invalid = (name: string, reason: string) => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${name} is not valid. Reason: ${reason}`,
    });
    const busName = entry.EventBusName ?? 'default';
    const bus = typeof busName === 'string' ? busOf(busName, this.options.busName) : undefined;
    if (!bus) {
      return {
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Event bus ${JSON.stringify(busName)} does not exist.`,
      };
    }
    if (typeof entry.Source !== 'string' || !entry.Source)
      return invalid('Source', 'Source is a required argument.');
    if (typeof entry.DetailType !== 'string' || !entry.DetailType) {
      return invalid('DetailType', 'DetailType is a required argument.');
    }
    if (typeof entry.Detail !== 'string')
      return invalid('Detail', 'Detail is a required argument.');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (!detail || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const time = typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : undefined;
    const resources = Array.isArray(entry.Resources) ? entry.Resources.map(String) : undefined;
    return {
      EventId: this.accept({
        source: entry.Source,
        detailType: entry.DetailType,
        detail,
        time,
        resources,
        bus,
        rawDetail: entry.Detail,
      }),
    };
  }

  private pump() {
    const limit = this.options.concurrency ?? 16;
    while (this.inFlight < limit && this.queue.length) {
      const delivery = this.queue.shift()!;
      this.inFlight += 1;
      void this.deliver(delivery)
        .catch((error: unknown) =>
          // deliver() catches everything itself; this is the last line, never an unhandled rejection
          log.error('bus.delivery-failed', {
            eventId: delivery.event.id,
            error: (error as Error).message,
          }),
        )
        .finally(() => {
          this.inFlight -= 1;
          this.pump();
          if (this.isIdle()) this.idleWaiters.splice(0).forEach((resolve) => resolve());
        });
    }
  }

  private isIdle() {
    return this.queue.length === 0 && this.inFlight === 0 && this.retryTimers.size === 0;
  }

  private async deliver(delivery: Delivery) {
    const { rule, event, attempt } = delivery;
    try {
      await this.options.targets[rule.target](event);
      this.delivered += 1;
    } catch (error) {
      const name = (error as Error).name;
      const maxAttempts = this.options.maxAttempts ?? 3;
      const permanent = (this.options.permanentErrors ?? []).includes(name);
      if (!permanent && attempt < maxAttempts) {
        // Exponential back-off, as EventBridge and Lambda's async retries do (scaled down).
        const timer = setTimeout(
          () => {
            this.retryTimers.delete(timer);
            this.queue.push({ ...delivery, attempt: attempt + 1 });
            this.pump();
          },
          100 * 2 ** attempt,
        );
        this.retryTimers.add(timer);
        return;
      }
      this.deadLetter(delivery, String((error as Error).message));
      log.warn('bus.dead-lettered', {
        eventId: event.id,
        rule: rule.id,
        attempts: attempt,
        error: name,
      });
    }
  }

  /**
   * Keeps a failed event in the dead letters. An event whose detail cannot be written as it is
   * (nested deeper than JSON.stringify can go) is kept with the producer's raw detail instead.
   */
  private deadLetter({ rule, event, rawDetail, attempt }: Delivery, error: string) {
    const letter: DeadLetter = {
      at: new Date().toISOString(),
      rule: rule.id,
      target: rule.target,
      attempts: attempt,
      error,
      event,
      ...(rawDetail === undefined ? {} : { rawDetail }),
    };
    try {
      this.options.deadLetters.add(letter);
      return;
    } catch (first) {
      log.warn('bus.dead-letter-detail-unwritable', {
        eventId: event.id,
        error: (first as Error).message,
      });
    }
    try {
      this.options.deadLetters.add({
        ...letter,
        event: { ...event, detail: undefined },
        rawDetail: rawDetail ?? '(the detail could not be serialised)',
      });
    } catch (second) {
      log.error('bus.dead-letter-failed', { eventId: event.id, error: (second as Error).message });
    }
  }
}
