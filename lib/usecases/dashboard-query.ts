/** The dashboard's query: period and filters, parsed from (and written back to) its URL. */
import { NONE } from '../contracts/report.js';
import { addDays, DAY_PATTERN } from '../domain/time.js';
import type { Dimension } from './report.js';

/** Preset periods, ending today. */
export const RANGES = { '7d': 7, '28d': 28, '90d': 90 } as const;
export type RangeName = keyof typeof RANGES | 'custom';
const DEFAULT_RANGE = '28d';
/** The longest period one page shows. */
export const MAX_RANGE_DAYS = 366;

/** The filters, as GET parameters, and the cell dimension each one selects. */
export const FILTERS = {
  touchpoint: 'touchpoint',
  channel: 'channel',
  segment: 'segment',
  journey: 'journeyId',
  step: 'journeyStep',
} as const satisfies Record<string, Dimension>;
export type FilterName = keyof typeof FILTERS;
export type Filters = Partial<Record<FilterName, string>>;

export interface DashboardQuery {
  range: RangeName;
  from: string;
  to: string;
  filters: Filters;
}

/** A query the dashboard cannot answer: shown to the user with what is wrong. */
export class InvalidQueryError extends Error {
  override name = 'InvalidQueryError';
}

const TOKEN = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

/** The period and filters from a URL's parameters; `today` is in the rollup time zone. */
export function parseDashboardQuery(params: URLSearchParams, today: string): DashboardQuery {
  const filters: Filters = {};
  for (const name of Object.keys(FILTERS) as FilterName[]) {
    const value = params.get(name);
    if (!value) continue;
    if (!TOKEN.test(value) && value !== NONE) {
      throw new InvalidQueryError(`${name}: "${value.slice(0, 64)}" is not a ${name} name`);
    }
    filters[name] = value;
  }
  const range = params.get('range') ?? (params.get('from') ? 'custom' : DEFAULT_RANGE);
  if (range === 'custom') {
    const from = params.get('from') ?? '';
    const to = params.get('to') ?? today;
    for (const [name, day] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (!DAY_PATTERN.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
        throw new InvalidQueryError(
          `${name}: expected a date as YYYY-MM-DD, got "${day.slice(0, 20)}"`,
        );
      }
    }
    if (from > to) throw new InvalidQueryError(`from (${from}) is after to (${to})`);
    if (addDays(from, MAX_RANGE_DAYS) <= to) {
      throw new InvalidQueryError(`a period of at most ${MAX_RANGE_DAYS} days, please`);
    }
    return { range, from, to, filters };
  }
  if (!Object.hasOwn(RANGES, range)) {
    throw new InvalidQueryError(
      `range: expected one of 7d, 28d, 90d or custom, got "${range.slice(0, 20)}"`,
    );
  }
  const days = RANGES[range as keyof typeof RANGES];
  return { range: range as RangeName, from: addDays(today, -(days - 1)), to: today, filters };
}

/** The query as URL parameters (for links that keep the period and filters). */
export function queryParams(query: DashboardQuery, changes: Partial<Filters> = {}): string {
  const params = new URLSearchParams();
  if (query.range === 'custom') {
    params.set('from', query.from);
    params.set('to', query.to);
  } else params.set('range', query.range);
  for (const [name, value] of Object.entries({ ...query.filters, ...changes })) {
    if (value) params.set(name, value);
  }
  return params.toString();
}

export function whereOf(filters: Filters): Partial<Record<Dimension, string>> {
  return Object.fromEntries(
    Object.entries(filters).map(([name, value]) => [FILTERS[name as FilterName], value]),
  );
}
