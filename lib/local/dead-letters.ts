/**
 * Local journals kept as JSON lines: the dead letters (what the AWS stack sends to a DLQ) and the
 * event log (what a subscriber on the bus would see).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventBridgeEvent } from '../contracts/interaction.js';

export interface Journal<T> {
  add(entry: T): void;
  list(): T[];
}

export class MemoryJournal<T> implements Journal<T> {
  private readonly entries: T[] = [];
  add(entry: T) {
    this.entries.push(entry);
  }
  list() {
    return [...this.entries];
  }
}

export class FileJournal<T> implements Journal<T> {
  constructor(private readonly path: string) {}
  add(entry: T) {
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`);
  }
  list(): T[] {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as T);
  }
}

export interface DeadLetter {
  at: string;
  rule: string;
  target: string;
  attempts: number;
  error: string;
  /** The event as delivered; without its detail when that could not be written (say, nested too deep). */
  event: unknown;
  /** The detail exactly as the producer put it, so nothing accepted is ever lost. */
  rawDetail?: string;
}

export type DeadLetterSink = Journal<DeadLetter>;
export type EventLog = Journal<EventBridgeEvent>;
