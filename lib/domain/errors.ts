/** Named domain errors: adapters map them to HTTP statuses, batch outcomes or dead letters. */

export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
  constructor(readonly problems: string[]) {
    super(`invalid event:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export class InvalidLinkError extends Error {
  override name = 'InvalidLinkError';
  constructor(
    readonly reason: 'malformed' | 'bad-signature' | 'unknown-key' | 'expired',
    /** Known only for a genuine link that expired: lets the page speak the customer's language. */
    readonly invitationId?: string,
  ) {
    super(`invalid survey link: ${reason}`);
  }
}

export class InvitationNotFoundError extends Error {
  override name = 'InvitationNotFoundError';
  constructor(readonly invitationId: string) {
    super(`invitation ${invitationId} not found`);
  }
}

export class SurveyClosedError extends Error {
  override name = 'SurveyClosedError';
  constructor(
    readonly invitationId: string,
    readonly why: 'expired' | 'not-sent',
  ) {
    super(`survey ${invitationId} is closed: ${why}`);
  }
}

export class InvalidAnswerError extends Error {
  override name = 'InvalidAnswerError';
  constructor(readonly problems: string[]) {
    super(`invalid answer: ${problems.join('; ')}`);
  }
}

/** The customer changed their answer as often as allowed: the latest one stands. */
export class AnswerLimitError extends Error {
  override name = 'AnswerLimitError';
  constructor(readonly invitationId: string) {
    super(`survey ${invitationId} takes no more changes`);
  }
}
