/**
 * Counter items: their keys (the cell's, the shard position's), built here and only here; the
 * units a stream record is written in; and a stored cell's mapping back to its counters.
 */
import type { Metric } from '../domain/metric.js';
import { cellKeyOf, mergeDeltas, type CellDelta, type CounterCell } from '../domain/counters.js';
import { KEY } from './table.js';

/** Counters per cell in one update: its expression (about 14 bytes a counter) stays under 4 KB. */
export const COUNTERS_PER_CELL = 200;
/** Sequence numbers are decimal strings of varying length: padded, they compare as strings. */
const SEQUENCE_DIGITS = 48;
/** The part that ends a record: sorts after every numbered part (`0000`…). */
export const LAST_PART = 'Z';
export const COUNTER_PREFIX = 'c:';

export interface StoredCounters {
  cell: CounterCell;
  metric: Metric | null;
  counters: Record<string, number>;
}

/** What one transaction at most writes of a record: its key orders it in the shard. */
export interface Unit {
  key: string;
  cells: CellDelta[];
}

export function counterKey(cell: CounterCell) {
  return { [KEY.pk]: `COUNT#${cell.day}`, [KEY.sk]: cellKeyOf(cell) };
}

export function counterDayPartition(day: string): string {
  return `COUNT#${day}`;
}

export function positionKey(shardId: string) {
  return { [KEY.pk]: `STREAMPOS#${shardId}`, [KEY.sk]: 'POSITION' };
}

export function paddedSequence(sequence: string): string {
  if (!/^\d{1,48}$/.test(sequence)) {
    throw new RangeError(`stream sequence number "${sequence}" is not 1-48 decimal digits`);
  }
  return sequence.padStart(SEQUENCE_DIGITS, '0');
}

/**
 * A record as the units it is written in: one (`<sequence>:Z`) when each of its cells has at most
 * COUNTERS_PER_CELL counters, else parts of that size, numbered, the last one `Z`.
 */
export function unitsOf(sequence: string, deltas: CellDelta[]): Unit[] {
  const cells = mergeDeltas(deltas);
  const widest = Math.max(0, ...cells.map((cell) => Object.keys(cell.counters).length));
  if (widest <= COUNTERS_PER_CELL) return [{ key: `${sequence}:${LAST_PART}`, cells }];
  const parts: CellDelta[][] = [];
  for (const cell of cells) {
    const entries = Object.entries(cell.counters);
    for (let at = 0, part = 0; at < entries.length; at += COUNTERS_PER_CELL, part++) {
      const slice = Object.fromEntries(entries.slice(at, at + COUNTERS_PER_CELL));
      (parts[part] ??= []).push({ ...cell, counters: slice });
    }
  }
  return parts.map((partCells, i) => ({
    key: `${sequence}:${i === parts.length - 1 ? LAST_PART : String(i).padStart(4, '0')}`,
    cells: partCells,
  }));
}

/** How many whole records the units end (a record's last part ends it). */
export function countRecords(units: readonly Unit[]): number {
  return units.filter((unit) => unit.key.endsWith(`:${LAST_PART}`)).length;
}

export function storedOf(item: Record<string, unknown>): StoredCounters {
  const counters: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(COUNTER_PREFIX) && typeof value === 'number') {
      counters[name.slice(COUNTER_PREFIX.length)] = value;
    }
  }
  const text = (name: string) => String(item[name]);
  return {
    cell: {
      day: text('day'),
      touchpoint: text('touchpoint'),
      channel: text('channel'),
      segment: text('segment'),
      journeyId: text('journeyId'),
      journeyStep: text('journeyStep'),
    },
    metric: (item.metric as Metric | undefined) ?? null,
    counters,
  };
}
