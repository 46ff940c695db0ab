/**
 * Event rule patterns: one source for the CDK stack's EventBridge rules and the local bus, so the
 * two cannot drift.
 */
import { CUSTOMER_ERASURE_REQUESTED } from './erasure.js';
import { INTERACTION_COMPLETED } from './interaction.js';
import {
  AFTERWORD_SOURCE,
  SURVEY_FOLLOW_UP_REQUESTED,
  SURVEY_FOLLOW_UP_WITHDRAWN,
} from './survey-events.js';

export type EventPattern = Record<string, unknown>;

export interface RuleDefinition {
  /** Stable id: the CDK construct id derives from it, so renaming one replaces the rule. */
  id: string;
  description: string;
  /**
   * `afterword`: the stack's own bus, where producers put interactions. `default`: the account's
   * default bus, where SES publishes its events (it can publish nowhere else).
   */
  bus: 'afterword' | 'default';
  pattern: EventPattern;
  target: 'intake' | 'feedback' | 'follow-up' | 'erasure';
}

/** SES's EventBridge detail-types for the feedback Afterword acts on. */
export const SES_FEEDBACK_DETAIL_TYPES = [
  'Email Delivered',
  'Email Bounced',
  'Email Complaint Received',
];

export const RULES: readonly RuleDefinition[] = [
  {
    id: 'InteractionCompleted',
    description:
      "Every Interaction Completed event goes to intake, from any source but Afterword's own.",
    bus: 'afterword',
    // Afterword's own source never carries interactions (the producer policy forbids it too).
    pattern: {
      'detail-type': [INTERACTION_COMPLETED],
      source: [{ 'anything-but': [AFTERWORD_SOURCE] }],
    },
    target: 'intake',
  },
  {
    id: 'SesFeedback',
    description: 'SES delivery, bounce and complaint events go to feedback.',
    bus: 'default',
    pattern: { source: ['aws.ses'], 'detail-type': SES_FEEDBACK_DETAIL_TYPES },
    target: 'feedback',
  },
  {
    id: 'FollowUp',
    description:
      "Afterword's own follow-up requests and withdrawals go to the follow-up function (cases, owner emails).",
    bus: 'afterword',
    pattern: {
      source: [AFTERWORD_SOURCE],
      'detail-type': [SURVEY_FOLLOW_UP_REQUESTED, SURVEY_FOLLOW_UP_WITHDRAWN],
    },
    target: 'follow-up',
  },
  {
    id: 'CustomerErasureRequested',
    description:
      'Erasure requests (a CRM, a privacy portal, afterword forget) go to the erasure function.',
    bus: 'afterword',
    pattern: {
      'detail-type': [CUSTOMER_ERASURE_REQUESTED],
      source: [{ 'anything-but': [AFTERWORD_SOURCE] }],
    },
    target: 'erasure',
  },
];
