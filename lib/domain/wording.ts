/** Picks a program's wording for a customer's locale and fills its placeholders. */
import type { Program, Wording } from '../config/schema.js';

/** Exact locale, then its language (`de-AT` → `de`), then the program's fallback locale. */
export function wordingFor(program: Program, locale: string): { locale: string; wording: Wording } {
  const language = locale.split('-')[0]!;
  for (const candidate of [locale, language, program.fallbackLocale]) {
    const wording = program.wording[candidate];
    if (wording) return { locale: candidate, wording };
  }
  throw new Error(`program ${program.touchpoint} has no wording for ${program.fallbackLocale}`);
}

export function fill(template: string, values: Record<string, string | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}
