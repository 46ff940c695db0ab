/** Reads and validates the programs config; an invalid file stops start-up with every problem by path. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeIssues } from '../contracts/interaction.js';
import { AfterwordConfig } from './schema.js';

export const DEFAULT_CONFIG_PATH = fileURLToPath(
  new URL('../../infra/afterword.config.json', import.meta.url),
);

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid config ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function parseConfig(raw: unknown, source = '(inline)'): AfterwordConfig {
  const result = AfterwordConfig.safeParse(raw);
  if (!result.success) throw new ConfigError(source, describeIssues(result.error));
  const config = result.data;
  // `{brand}` works in every text (the config check allows it everywhere): filled once, here, so
  // no subject, label or question can reach a customer with it unfilled.
  for (const program of config.programs) {
    program.wording = withBrand(program.wording, config.brand);
  }
  return config;
}

function withBrand<T>(value: T, brand: string): T {
  if (typeof value === 'string') return value.replaceAll('{brand}', brand) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withBrand(item, brand)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, withBrand(item, brand)]),
    ) as T;
  }
  return value;
}

export function loadConfig(
  path = process.env.AFTERWORD_CONFIG ?? DEFAULT_CONFIG_PATH,
): AfterwordConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parseConfig(raw, path);
}

/** A hash of a programs config file, to tell whether a deployed stack runs the one here. */
export function configHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
}
