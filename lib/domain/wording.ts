/** Picks a program's wording for a customer's locale and fills its placeholders. */
import type { Program, Wording } from '../config/schema.js';

/** Exact locale, then its language (`de-AT` → `de`), then the program's fallback locale. */
export function wordingFor(program: Program, locale: string): { locale: string; wording: Wording } {
  const language = locale.split('-')[0]!;
  for (const candidate of [locale, language, program.fallbackLocale]) {
    // Own keys only: a locale such as "constructor" must not find Object's prototype.
    if (Object.hasOwn(program.wording, candidate)) {
      return { locale: candidate, wording: program.wording[candidate]! };
    }
  }
  throw new Error(`program ${program.touchpoint} has no wording for ${program.fallbackLocale}`);
}

export function fill(template: string, values: Record<string, string | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    Object.hasOwn(values, key) ? (values[key] ?? whole) : whole,
  );
}
