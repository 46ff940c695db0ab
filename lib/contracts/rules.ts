/**
 * Event rule patterns: one source for the CDK stack's EventBridge rules and the local bus, so the
 * two cannot drift.
 */
import { INTERACTION_COMPLETED } from './interaction.js';

export type EventPattern = Record<string, unknown>;

export interface RuleDefinition {
  /** Stable id: the CDK construct id derives from it, so renaming one replaces the rule. */
  id: string;
  description: string;
  pattern: EventPattern;
  target: 'intake';
}

export const RULES: readonly RuleDefinition[] = [
  {
    id: 'InteractionCompleted',
    description: 'Every Interaction Completed event, from any source, goes to intake.',
    pattern: { 'detail-type': [INTERACTION_COMPLETED] },
    target: 'intake',
  },
];
