/**
 * The review programme (issue 21): a happy customer (an NPS promoter, a satisfied CSAT or an easy
 * CES answer) is invited on the thank-you page to share the experience publicly, on a review site
 * or an app store page the program names per locale. The invitation links to Afterword's own
 * signed redirect (`/r/<token>`), which counts the click and then sends the customer on to the
 * destination the config holds for the survey's locale: the URL never comes from the request, so
 * the redirect cannot be pointed anywhere else.
 */
import * as z from 'zod';
import type { Metric } from './metric.js';
import { happyGroupOf, scoreGroupOf } from './questionnaire.js';
import { isoDuration } from './program-parts.js';

/**
 * A review destination: an absolute https URL, without credentials, whitespace or control
 * characters, stored as the URL parser writes it (what is checked is what is sent).
 */
const destination = z
  .string()
  .refine(
    (text) => {
      if (!/^https:\/\/[^\s@/?#]+(?:[/?#]\S*)?$/.test(text)) return false;
      try {
        const url = new URL(text);
        return url.protocol === 'https:' && !url.username && !url.password;
      } catch {
        return false;
      }
    },
    {
      error: (issue) =>
        `must be an https URL, such as "https://www.trustpilot.com/review/example.com", got ${JSON.stringify(issue.input)}`,
    },
  )
  .transform((text) => new URL(text).href);

/** The program's `review` setting: where customers may review, by locale or language. */
export const ReviewSetting = z.object({
  /** By locale (`en-GB`) or language (`de`): a locale without one of its own uses its language's. */
  destinations: z
    .record(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a locale'), destination)
    .refine((destinations) => Object.keys(destinations).length > 0, 'must name a destination'),
  /**
   * One follow-up email this long after the answer (say "P2D"), to a happy customer invited on the
   * thank-you page who has not followed the invitation: within their send window, never to an
   * opted-out or suppressed address, unsubscribable. Default: none.
   */
  followUpAfter: isoDuration.optional(),
  /** At most one review email to a customer in this period, whatever the program. */
  followUpOncePer: isoDuration.default('P90D'),
});
export type ReviewSetting = z.infer<typeof ReviewSetting>;

/** Where a customer of this locale may review, or undefined: no invitation then. */
export function reviewDestination(
  setting: ReviewSetting | undefined,
  locale: string,
): string | undefined {
  if (!setting) return undefined;
  // Locale tags are case-insensitive (en-GB, en-gb): compared in lower case.
  const byTag = new Map(
    Object.entries(setting.destinations).map(([tag, url]) => [tag.toLowerCase(), url]),
  );
  const tag = locale.toLowerCase();
  return byTag.get(tag) ?? byTag.get(tag.split('-')[0]!);
}

/** Whether this answer is invited to review: the happy group, and a destination for its locale. */
export function offersReview(
  setting: ReviewSetting | undefined,
  metric: Metric,
  score: number,
  locale: string,
): boolean {
  return (
    scoreGroupOf(metric, score) === happyGroupOf(metric) &&
    reviewDestination(setting, locale) !== undefined
  );
}

/** A cell's review counts (by the answer's day): invitations shown, and followed. */
export const REVIEW_COUNTS = ['reviewOffered', 'reviewClicked'] as const;
export type ReviewCount = (typeof REVIEW_COUNTS)[number];

/** What one answer adds to its cell's review counts: a click counts where the invitation stands. */
export function reviewContribution(answer: {
  reviewOffered?: boolean | undefined;
  reviewClickedAt?: string | undefined;
}): Partial<Record<ReviewCount, number>> {
  if (!answer.reviewOffered) return {};
  return { reviewOffered: 1, ...(answer.reviewClickedAt ? { reviewClicked: 1 } : {}) };
}

/** The invitation's button, on the thank-you page and in the email (wording: `reviewButton`). */
export const REVIEW_BUTTON = { en: 'Write a review', de: 'Bewertung schreiben' } as const;
