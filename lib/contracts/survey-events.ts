/**
 * Events Afterword publishes on the bus (source `afterword`), versioned so that CRMs, data lakes
 * and ticketing tools can subscribe and rely on their shape.
 */
import * as z from 'zod';

export const AFTERWORD_SOURCE = 'afterword';
export const SURVEY_ANSWERED = 'Survey Answered';

export const SurveyAnsweredV1 = z.object({
  version: z.literal('1'),
  invitationId: z.string(),
  interactionId: z.string(),
  customerId: z.string(),
  touchpoint: z.string(),
  channel: z.string(),
  segment: z.string().optional(),
  journeyStep: z.string().optional(),
  metric: z.enum(['nps', 'csat', 'ces']),
  score: z.number().int(),
  hasComment: z.boolean(),
  answeredAt: z.iso.datetime(),
});
export type SurveyAnswered = z.infer<typeof SurveyAnsweredV1>;
