/** Deterministic ids: the same interaction always maps to the same invitation (idempotent intake). */
import { createHash } from 'node:crypto';

/**
 * The idempotency key of an interaction: the producer's `source` and its `interactionId`, so two
 * producers that both number their interactions from 1 never collide.
 */
export function interactionKey(source: string, interactionId: string): string {
  return `${source}\u0000${interactionId}`;
}

export function invitationIdFor(source: string, interactionId: string): string {
  return createHash('sha256')
    .update(`interaction:${interactionKey(source, interactionId)}`)
    .digest('base64url')
    .slice(0, 22);
}

/** JSON with object keys sorted, so equal payloads hash equally whatever the producer's key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function payloadHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}
