/** The response funnel's rate, as shared/metrics.md defines it ("Funnel"). */

export interface FunnelCounts {
  sent: number;
  delivered: number;
  answered: number;
  /** Sent surveys with a known outcome (delivered, bounced or complained), each counted once. */
  outcomeKnown: number;
}

export type ResponseRateBasis = 'delivered' | 'sent';

/**
 * answered / delivered only when every sent survey has a known outcome: with one delivery of 37
 * reported, dividing by 1 would claim 1100 %. Otherwise answered / sent. Deliveries that do not
 * account for every answer (a lost delivery event next to a complaint, say) also fall back to
 * sent, so the rate can never exceed 100 % (an answer needs a sent survey).
 */
export function responseRate(funnel: FunnelCounts): {
  rate: number | null;
  basis: ResponseRateBasis;
} {
  const everyOutcomeKnown = funnel.sent > 0 && funnel.outcomeKnown >= funnel.sent;
  if (everyOutcomeKnown && funnel.answered <= funnel.delivered) {
    return {
      rate: funnel.delivered > 0 ? funnel.answered / funnel.delivered : null,
      basis: 'delivered',
    };
  }
  return { rate: funnel.sent > 0 ? funnel.answered / funnel.sent : null, basis: 'sent' };
}
