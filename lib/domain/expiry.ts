/**
 * Expiry is derived, never written (issue 19): a sent survey nobody answered is expired once its
 * link is. Writing it cost a queue entry moved at every send and a write per closed link; reading
 * it costs nothing, as every reader knows the time.
 */
import { addIsoDuration } from './time.js';

/**
 * Whether a survey in `status` counts as expired at `asOf`. `expiresAt` is the item's own; rows of
 * the day index carry no `expiresAt` (an index's projection cannot change), so they give the send
 * time and their program's `linkExpiry` as configured now (the dispatcher applied the one of the
 * send: a changed `linkExpiry` recounts a recomputed day by the new one). `expired` is what the
 * shape before issue 19 wrote.
 */
export function isExpired(
  survey: { status: string; expiresAt?: string | undefined; sentAt?: string | undefined },
  asOf: Date,
  linkExpiry?: string,
): boolean {
  if (survey.status === 'expired') return true;
  if (survey.status !== 'sent' && survey.status !== 'delivered') return false;
  const expiresAt =
    survey.expiresAt ??
    (survey.sentAt && linkExpiry
      ? addIsoDuration(new Date(survey.sentAt), linkExpiry).toISOString()
      : undefined);
  return expiresAt !== undefined && expiresAt <= asOf.toISOString();
}
