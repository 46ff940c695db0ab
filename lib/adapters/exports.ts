/**
 * The rollup rows for BI tools: each recomputed day written as JSON lines, one file per day,
 * partitioned by day (`rollups/day=YYYY-MM-DD/rollup.jsonl`), so Athena, QuickSight or any tool
 * that reads the Glue table (or the files) sees exactly what `afterword report` aggregates. On AWS
 * the files go to the stack's export bucket; locally to `.afterword/exports/`. A recompute
 * overwrites its day's file, so the files follow the rollup idempotently.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RollupRow } from '../contracts/report.js';
import type { Settings } from '../runtime.js';
import { clientOptions, newClient } from './sdk-clients.js';

export interface RollupExporter {
  put(day: string, rows: RollupRow[]): Promise<void>;
}

/** Where a day's rows live, below the bucket or the folder. */
export function exportKey(day: string): string {
  return `rollups/day=${day}/rollup.jsonl`;
}

/** One JSON object per line: the stored rollup row's own fields, nothing of the table's keys. */
export function toJsonLines(rows: RollupRow[]): string {
  return rows.map((row) => `${JSON.stringify(RollupRow.parse(row))}\n`).join('');
}

export class S3RollupExporter implements RollupExporter {
  constructor(
    private readonly client: () => Promise<S3Client>,
    private readonly bucket: string,
  ) {}

  async put(day: string, rows: RollupRow[]): Promise<void> {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await (
      await this.client()
    ).send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: exportKey(day),
        Body: toJsonLines(rows),
        ContentType: 'application/x-ndjson',
      }),
    );
  }
}

export class FileRollupExporter implements RollupExporter {
  constructor(private readonly dir: string) {}

  put(day: string, rows: RollupRow[]): Promise<void> {
    const file = join(this.dir, exportKey(day));
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, toJsonLines(rows));
    return Promise.resolve();
  }
}

/** The rollup's exporter for these settings: an S3 bucket (AWS) or a folder (local). */
export function exporterFor(
  settings: Pick<Settings, 'region' | 'profile' | 'endpoints'>,
  target: { bucket: string } | { dir: string },
): RollupExporter {
  if ('dir' in target) return new FileRollupExporter(target.dir);
  // S3's client is loaded by the one function that exports (the rollup), when it first does.
  let client: Promise<S3Client> | undefined;
  return new S3RollupExporter(
    () =>
      (client ??= import('@aws-sdk/client-s3').then(({ S3Client }) =>
        newClient(S3Client, {
          ...clientOptions(settings, settings.endpoints?.s3),
          // a local stand-in answers on one host: the bucket goes in the path
          forcePathStyle: Boolean(settings.endpoints?.s3),
        }),
      )),
    target.bucket,
  );
}
