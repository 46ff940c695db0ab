/**
 * EventBridge event-pattern matching for the local bus: exact values, prefix, suffix,
 * equals-ignore-case, anything-but, numeric ranges, exists, nested fields, and array fields
 * (any element may match), as EventBridge documents them.
 */
import type { EventPattern } from '../contracts/rules.js';

type Leaf = string | number | boolean | null;

export function matches(pattern: EventPattern, event: unknown): boolean {
  if (!event || typeof event !== 'object') return false;
  const record = event as Record<string, unknown>;
  return Object.entries(pattern).every(([field, rule]) => {
    const value = record[field];
    if (Array.isArray(rule)) return rule.some((matcher) => matchesValue(matcher, value));
    if (rule && typeof rule === 'object') return matches(rule as EventPattern, value);
    throw new Error(`invalid event pattern at "${field}": expected an array or an object`);
  });
}

function matchesValue(matcher: unknown, value: unknown): boolean {
  if (matcher && typeof matcher === 'object' && 'exists' in matcher) {
    const exists = value !== undefined;
    return (matcher as { exists: boolean }).exists === exists;
  }
  if (value === undefined) return false;
  const values: unknown[] = Array.isArray(value) ? value : [value];
  return values.some((item) => matchesLeaf(matcher, item));
}

function matchesLeaf(matcher: unknown, value: unknown): boolean {
  if (matcher === null || typeof matcher !== 'object') return matcher === (value as Leaf);
  const rule = matcher as Record<string, unknown>;
  if ('prefix' in rule) return typeof value === 'string' && value.startsWith(String(rule.prefix));
  if ('suffix' in rule) return typeof value === 'string' && value.endsWith(String(rule.suffix));
  if ('equals-ignore-case' in rule) {
    return (
      typeof value === 'string' &&
      value.toLowerCase() === String(rule['equals-ignore-case']).toLowerCase()
    );
  }
  if ('anything-but' in rule) {
    const excluded = rule['anything-but'];
    if (Array.isArray(excluded)) return !excluded.some((e) => matchesLeaf(e, value));
    return !matchesLeaf(excluded, value);
  }
  if ('numeric' in rule) {
    if (typeof value !== 'number') return false;
    const terms = rule.numeric as (string | number)[];
    for (let i = 0; i + 1 < terms.length; i += 2) {
      const [op, bound] = [terms[i] as string, terms[i + 1] as number];
      const ok =
        op === '='
          ? value === bound
          : op === '<'
            ? value < bound
            : op === '<='
              ? value <= bound
              : op === '>'
                ? value > bound
                : op === '>='
                  ? value >= bound
                  : false;
      if (!ok) return false;
    }
    return true;
  }
  throw new Error(`unsupported event pattern matcher ${JSON.stringify(rule)}`);
}
