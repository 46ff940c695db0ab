/**
 * How often a container reads the record of the first key shapes (store/legacy-shapes.ts): it is
 * on the path of every intake and dispatch, so its reads are the point. A stand-in client counts
 * them (the record's contents are DynamoDB Local's business: migrate-storage.test.ts).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { LegacyShapes } from '../../lib/store/legacy-shapes.js';

function recordReads(items: (Record<string, unknown> | undefined | Error)[]) {
  let reads = 0;
  const doc = {
    send: () => {
      const item = items[Math.min(reads, items.length - 1)];
      reads += 1;
      return item instanceof Error ? Promise.reject(item) : Promise.resolve({ Item: item });
    },
  } as unknown as DynamoDBDocumentClient;
  let now = 0;
  const shapes = new LegacyShapes(doc, 'table', () => now);
  return {
    shapes,
    reads: () => reads,
    advance: (ms: number) => (now += ms),
  };
}

describe('the record of the first key shapes', () => {
  it('is read once per container and kept for good once neither shape is left', async () => {
    const { shapes, reads, advance } = recordReads([
      { remaining: 0, countedAt: '2026-11-24T02:30:00.000Z' },
    ]);
    const concurrent = await Promise.all([shapes.present(), shapes.present()]);
    expect(concurrent).toEqual([
      { contacts: false, suppressions: false },
      { contacts: false, suppressions: false },
    ]);
    advance(24 * 3_600_000);
    expect(await shapes.present()).toEqual({ contacts: false, suppressions: false });
    expect(reads()).toBe(1);
  });

  it('is read again after five minutes while a shape is left, or nothing was recorded', async () => {
    const { shapes, reads, advance } = recordReads([
      undefined,
      { remaining: 2, countedAt: '2026-11-24T02:30:00.000Z' },
      { remaining: 0, countedAt: '2026-11-24T02:30:00.000Z' },
    ]);
    expect(await shapes.present()).toEqual({ contacts: true, suppressions: true });
    advance(4 * 60_000);
    await shapes.present();
    expect(reads()).toBe(1);
    advance(60_000);
    expect(await shapes.present()).toEqual({ contacts: true, suppressions: true });
    advance(5 * 60_000);
    expect(await shapes.present()).toEqual({ contacts: false, suppressions: false });
    advance(60 * 60_000);
    await shapes.present();
    expect(reads()).toBe(3);
  });

  it('answers "both may be present" when the read fails, never failing its caller, and reads again next time', async () => {
    const { shapes, reads } = recordReads([
      new Error('ProvisionedThroughputExceededException'),
      { remaining: 0, countedAt: '2026-11-24T02:30:00.000Z' },
    ]);
    expect(await shapes.present()).toEqual({ contacts: true, suppressions: true });
    expect(await shapes.present()).toEqual({ contacts: false, suppressions: false });
    expect(reads()).toBe(2);
  });
});
