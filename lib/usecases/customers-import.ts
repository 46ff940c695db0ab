/**
 * `afterword customers import FILE`: customers from a CSV file (a CRM export) into the customer
 * directory, so tracking and periodic programs can draw from customers Afterword has not yet seen
 * in an interaction.
 *
 * Primary course:
 * 1. Parse and check the whole file first: a header naming the columns, then one customer a row
 *    (`customerId` and `email` required; `locale`, `timeZone`, `segment`, `lastSeen` optional,
 *    the import day when left out).
 *    Every bad row is reported with its line and column, and then nothing is imported.
 * 2. For each row, read the customer's contact item and write the profile only when it changes
 *    (the same rule as an interaction's: known fields replace, the last-seen day only moves
 *    forward). Importing the same file twice writes nothing the second time, so an import cut
 *    short is finished by running it again.
 */
import { CsvError, parse } from 'csv-parse/sync';
import * as z from 'zod';
import { updatedProfile, type CustomerProfile } from '../domain/customer-profile.js';
import { Customer } from '../contracts/interaction.js';
import type { Needs, RuntimePart } from '../runtime.js';

/** What customers-import reaches of the runtime: its functions are built with these and no more. */
export const CUSTOMERS_IMPORT_USES = ['contacts'] as const satisfies readonly RuntimePart[];
export type CustomersImportDeps = Needs<typeof CUSTOMERS_IMPORT_USES>;

/** Columns the file may have; the first two are required. */
export const IMPORT_COLUMNS = ['customerId', 'email', 'locale', 'timeZone', 'segment', 'lastSeen'];

/** Rows checked per file at most: a larger directory is imported in several files. */
export const MAX_IMPORT_ROWS = 100_000;

/** A row: the event contract's customer fields (the same limits), and the day last seen. */
const Row = z.object({
  customerId: z.string({ error: 'is required' }).max(128, 'must be at most 128 characters'),
  email: z.string({ error: 'is required' }).pipe(z.email('must be an email address')),
  locale: Customer.shape.locale,
  timeZone: Customer.shape.timeZone,
  segment: Customer.shape.segment,
  lastSeen: z.iso.date('must be a date YYYY-MM-DD').optional(),
});

export class ImportFileError extends Error {
  override name = 'ImportFileError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(
      `${file}: nothing imported, ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
}

export interface ImportResult {
  rows: number;
  /** Customers new to the directory. */
  added: number;
  /** Customers whose profile changed. */
  updated: number;
  /** Rows that changed nothing (already known as given). */
  unchanged: number;
}

/** Checks the whole file: its customers, or every problem by line and column. */
export function parseCustomersCsv(
  text: string,
  file: string,
  today: string,
): { customerId: string; profile: CustomerProfile }[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => {
        const unknown = header.filter((name) => !IMPORT_COLUMNS.includes(name));
        const missing = ['customerId', 'email'].filter((name) => !header.includes(name));
        if (unknown.length || missing.length) {
          throw new ImportFileError(file, [
            ...missing.map((name) => `line 1: the header has no "${name}" column`),
            ...unknown.map(
              (name) =>
                `line 1: unknown column "${name}" (the columns are ${IMPORT_COLUMNS.join(', ')})`,
            ),
          ]);
        }
        return header;
      },
      bom: true,
      info: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    if (error instanceof CsvError) {
      const line: unknown = (error as { lines?: unknown }).lines;
      throw new ImportFileError(file, [
        `line ${typeof line === 'number' ? line : '?'}: ${error.message}`,
      ]);
    }
    throw error;
  }
  if (records.length > MAX_IMPORT_ROWS) {
    throw new ImportFileError(file, [
      `${records.length} rows: at most ${MAX_IMPORT_ROWS} a file; split it and import each`,
    ]);
  }
  const problems: string[] = [];
  const firstLine = new Map<string, number>();
  const customers: { customerId: string; profile: CustomerProfile }[] = [];
  for (const { record, info } of records) {
    // Empty cells are unknown values, not empty ones.
    const fields = Object.fromEntries(Object.entries(record).filter(([, value]) => value !== ''));
    const parsed = Row.safeParse(fields);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(`line ${info.lines}, ${issue.path.join('.') || 'row'}: ${issue.message}`);
      }
      continue;
    }
    const row = parsed.data;
    const earlier = firstLine.get(row.customerId);
    if (earlier !== undefined) {
      problems.push(
        `line ${info.lines}, customerId: "${row.customerId}" is also on line ${earlier}`,
      );
      continue;
    }
    firstLine.set(row.customerId, info.lines);
    if (row.lastSeen && row.lastSeen > today) {
      problems.push(`line ${info.lines}, lastSeen: ${row.lastSeen} is in the future`);
      continue;
    }
    customers.push({
      customerId: row.customerId,
      profile: {
        email: row.email,
        locale: row.locale,
        timeZone: row.timeZone,
        segment: row.segment,
        // Without a last-seen day, a customer in the CRM's export counts as known today.
        seenOn: row.lastSeen ?? today,
      },
    });
  }
  if (problems.length) throw new ImportFileError(file, problems);
  return customers;
}

/** Concurrent customers in flight: a steady load, well under on-demand limits. */
const CONCURRENCY = 8;

export async function importCustomers(
  rt: CustomersImportDeps,
  customers: { customerId: string; profile: CustomerProfile }[],
): Promise<ImportResult> {
  const result: ImportResult = { rows: customers.length, added: 0, updated: 0, unchanged: 0 };
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, customers.length) }, async () => {
      while (next < customers.length) {
        const { customerId, profile } = customers[next++]!;
        const contact = await rt.contacts.get(customerId, { consistent: false });
        const changed = updatedProfile(contact.profile, profile);
        if (!changed) {
          result.unchanged += 1;
          continue;
        }
        await rt.contacts.recordProfile(customerId, contact, changed);
        if (contact.profile) result.updated += 1;
        else result.added += 1;
      }
    }),
  );
  return result;
}
