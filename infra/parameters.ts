/**
 * Deployment parameters, from CDK context (`-c afterword:<name>=<value>` or cdk.json), validated
 * before anything is built: a bad value stops synth with its name and the value given.
 */
import { resolve } from 'node:path';
import * as z from 'zod';
import { describeIssues } from '../lib/contracts/interaction.js';
import { DEFAULT_CONFIG_PATH } from '../lib/config/load.js';

export const DeployParameters = z
  .object({
    /** The programs config file; validated at synth and bundled into every function. */
    configPath: z.string().min(1).default(DEFAULT_CONFIG_PATH),
    /** Alarm notifications go to this address (an SNS email subscription to confirm). */
    alarmEmail: z.email().optional(),
    /**
     * The verified SES identity that sends (a domain such as `acme.example`, or an address).
     * @default - the domain of the config's `sender`
     */
    sesIdentity: z.string().min(3).optional(),
    /** A custom domain for survey links, with its ACM certificate in the stack's region. */
    surveyDomain: z
      .string()
      .regex(
        /^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/i,
        'must be a domain name such as "survey.acme.example"',
      )
      .optional(),
    surveyCertificateArn: z
      .string()
      .startsWith('arn:aws', 'must be an ACM certificate ARN')
      .optional(),
    /** Requests per second the survey endpoint accepts (steady, and in a burst). */
    answerRateLimit: z.coerce.number().int().min(1).max(10_000).default(50),
    answerBurstLimit: z.coerce.number().int().min(1).max(10_000).default(100),
  })
  .refine((p) => Boolean(p.surveyDomain) === Boolean(p.surveyCertificateArn), {
    message: 'surveyDomain and surveyCertificateArn go together: give both or neither',
    path: ['surveyDomain'],
  });
export type DeployParameters = z.infer<typeof DeployParameters>;

export function parseParameters(raw: Record<string, unknown>): DeployParameters {
  const result = DeployParameters.safeParse(
    Object.fromEntries(
      Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''),
    ),
  );
  if (!result.success) {
    throw new Error(
      `invalid deployment parameters:\n${describeIssues(result.error, 'afterword')
        .map((problem) => `  - ${problem}`)
        .join('\n')}`,
    );
  }
  return { ...result.data, configPath: resolve(result.data.configPath) };
}

export const PARAMETER_NAMES = Object.keys(DeployParameters.shape) as (keyof DeployParameters)[];
