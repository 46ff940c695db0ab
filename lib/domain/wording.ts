/**
 * Picks a program's wording for a customer's locale, fills its placeholders, and says which way
 * the language is written. Placeholders are checked when the config loads (schema.ts), so a typo
 * stops start-up instead of reaching a customer as a raw "{x}".
 */
import type { Program } from './program.js';
import type { Wording } from './program-parts.js';
import type { Invitation } from '../contracts/invitation.js';

/** Exact locale, then its language (`de-AT` → `de`), then the program's fallback locale. */
export function wordingFor(program: Program, locale: string): { locale: string; wording: Wording } {
  const language = languageOf(locale);
  for (const candidate of [locale, language, program.fallbackLocale]) {
    // Own keys only: a locale such as "constructor" must not find Object's prototype.
    if (Object.hasOwn(program.wording, candidate)) {
      return { locale: candidate, wording: program.wording[candidate]! };
    }
  }
  throw new Error(`program ${program.touchpoint} has no wording for ${program.fallbackLocale}`);
}

export function languageOf(locale: string): string {
  return locale.split('-')[0]!.toLowerCase();
}

/** The language of `locale` that `table` has (own keys only), else English. */
export function languageIn<T extends { en: unknown }>(table: T, locale: string): keyof T & string {
  const language = languageOf(locale);
  return (Object.hasOwn(table, language) ? language : 'en') as keyof T & string;
}

/** Languages written right to left: their pages and emails get `dir="rtl"`. */
const RIGHT_TO_LEFT = new Set(['ar', 'he', 'fa', 'ur', 'yi', 'ps', 'sd', 'ckb', 'dv', 'ug']);

export function directionOf(locale: string): 'rtl' | 'ltr' {
  return RIGHT_TO_LEFT.has(languageOf(locale)) ? 'rtl' : 'ltr';
}

/**
 * Anything between braces without spaces counts as a placeholder, so `{Date}` or `{attribute.id}`
 * is caught as unknown rather than printed.
 */
const PLACEHOLDER = /\{([^{}\s]*)\}/g;

export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1]!);
}

export const ATTRIBUTE_PREFIX = 'attributes.';

/** The placeholders each wording text may use besides `{brand}`, which every text may use. */
const PLACEHOLDERS: Partial<Record<keyof Wording, readonly string[]>> = {
  greeting: ['name'],
  question: ['touchpoint'],
  interaction: ['touchpoint', 'channel', 'date', `${ATTRIBUTE_PREFIX}<name>`],
  savedNotice: ['submit'],
  answered: ['score', 'date'],
  contactExpected: ['owner', 'date'],
};

/** The placeholders `field` may use, as the config error lists them. */
export function allowedPlaceholders(field: string): string[] {
  return ['brand', ...(PLACEHOLDERS[field as keyof Wording] ?? [])];
}

export function isAllowedPlaceholder(field: string, placeholder: string): boolean {
  const allowed = allowedPlaceholders(field);
  if (allowed.includes(placeholder)) return true;
  return (
    allowed.includes(`${ATTRIBUTE_PREFIX}<name>`) &&
    placeholder.startsWith(ATTRIBUTE_PREFIX) &&
    placeholder.length > ATTRIBUTE_PREFIX.length
  );
}

/**
 * Fills every placeholder from `values`, or gives undefined when one of them has no value, so a
 * customer never reads "undefined", an empty gap or a raw "{x}"; the caller leaves the text out or
 * picks another. The result is plain text: the html template escapes it where it is interpolated.
 */
export function fill(
  template: string,
  values: Record<string, string | undefined> | ((key: string) => string | undefined),
): string | undefined {
  const lookup =
    typeof values === 'function'
      ? values
      : (key: string) => (Object.hasOwn(values, key) ? values[key] : undefined);
  let missing = false;
  const filled = template.replace(PLACEHOLDER, (_whole, key: string) => {
    const value = lookup(key);
    if (value === undefined || value === '') missing = true;
    return value ?? '';
  });
  return missing ? undefined : filled;
}

/** Longest attribute value put in a sentence; longer ones are cut with an ellipsis. */
const MAX_ATTRIBUTE_CHARS = 80;

/**
 * An attribute as words in a sentence: strings (control characters folded to spaces, so nothing
 * breaks a line or a header) and finite numbers as written; booleans, null and empty strings
 * have no wording, so they count as missing.
 */
function attributeText(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex -- folding control characters is the point
  const text = value.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  if (!text) return undefined;
  return text.length > MAX_ATTRIBUTE_CHARS ? `${text.slice(0, MAX_ATTRIBUTE_CHARS - 1)}…` : text;
}

/**
 * The locale dates are written in: the customer's own (en-GB writes "Monday 23 November", en-US
 * "Monday, November 23") when the wording is in their language, else the wording's, so a date
 * never switches language inside a sentence.
 */
export function dateLocale(customerLocale: string, wordingLocale: string): string {
  return languageOf(customerLocale) === languageOf(wordingLocale) ? customerLocale : wordingLocale;
}

/** A day as people say it ("Monday 23 November"), in the customer's time zone. */
export function formatDay(iso: string, locale: string, timeZone: string): string | undefined {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return undefined;
  const options = { weekday: 'long', day: 'numeric', month: 'long' } as const;
  // A tag or zone Intl does not know falls back rather than failing the page or the email.
  for (const [tag, zone] of [
    [locale, timeZone],
    [languageOf(locale), timeZone],
    [languageOf(locale), 'UTC'],
  ] as const) {
    try {
      return new Intl.DateTimeFormat(tag, { ...options, timeZone: zone }).format(instant);
    } catch {
      // try the next, plainer form
    }
  }
  return undefined;
}

/** The values an interaction line draws on, from the invitation's snapshot of the interaction. */
export function interactionValues(
  invitation: Pick<
    Invitation,
    'touchpoint' | 'channel' | 'occurredAt' | 'attributes' | 'locale' | 'timeZone'
  >,
  wordingLocale: string,
  brand: string,
): (key: string) => string | undefined {
  return (key) => {
    if (key === 'brand') return brand;
    if (key === 'touchpoint') return invitation.touchpoint;
    if (key === 'channel') return invitation.channel;
    if (key === 'date') {
      const locale = dateLocale(invitation.locale, wordingLocale);
      return formatDay(invitation.occurredAt, locale, invitation.timeZone);
    }
    if (key.startsWith(ATTRIBUTE_PREFIX)) {
      const name = key.slice(ATTRIBUTE_PREFIX.length);
      const attributes = invitation.attributes ?? {};
      return Object.hasOwn(attributes, name) ? attributeText(attributes[name]) : undefined;
    }
    return undefined;
  };
}

/**
 * The one line that names the interaction ("About your call with us on Monday 23 November"): the
 * first of the program's lines whose placeholders all have values, or none.
 */
export function interactionLine(
  wording: Wording,
  values: (key: string) => string | undefined,
): string | undefined {
  const lines = wording.interaction === undefined ? [] : [wording.interaction].flat();
  for (const line of lines) {
    const filled = fill(line, values);
    if (filled !== undefined) return filled;
  }
  return undefined;
}
