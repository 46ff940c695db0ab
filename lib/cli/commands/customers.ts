/** `customers import FILE`: the customer directory from a CSV file. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { importCustomers, parseCustomersCsv } from '../../usecases/customers-import.js';
import { usageOf, withRuntime } from '../shared.js';
import { UsageError } from '../errors.js';
import type { CommandInput } from '../command.js';
import type { customers as spec } from '../commands.js';

/** `customers import FILE`: the customer directory from a CSV file, all rows or none. */
export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values, positionals } = input;
  const [action, file, ...extra] = positionals;
  if (action !== 'import' || !file || extra.length) {
    throw new UsageError(usageOf('customers'));
  }
  let text: string;
  try {
    text = readFileSync(resolve(file), 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const customers = parseCustomersCsv(text, file, new Date().toISOString().slice(0, 10));
  const result = await withRuntime(values, (rt) => importCustomers(rt, customers));
  process.stdout.write(
    `imported ${result.rows} customers from ${file}: ${result.added} new, ${result.updated} updated, ${result.unchanged} unchanged\n`,
  );
  return 0;
}
