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
    /**
     * The front door: CloudFront with an AWS WAF web ACL (a per-client rate limit, AWS's IP
     * reputation and known-bad-inputs rule groups) before the survey endpoint. `false` leaves the
     * API's stage throttle alone in front (no fixed monthly cost).
     */
    edgeProtection: z
      .union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')])
      .default(true),
    /** Requests one client IP may make to the survey links in 5 minutes (unsubscribing: 4×). */
    // WAF's ceiling is 2,000,000,000 a window; unsubscribing gets four times this
    edgeRateLimit: z.coerce.number().int().min(10).max(500_000_000).default(300),
    /**
     * A custom domain for survey links, with its ACM certificate: in us-east-1 with the front door
     * (CloudFront takes certificates from there only), else in the stack's region.
     */
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
    /**
     * Other AWS accounts whose producers may put Interaction Completed events on the bus (a bus
     * policy), comma-separated 12-digit ids; each still grants its own principals PutEvents.
     */
    producerAccounts: z
      .union([z.array(z.string()), z.string().transform((value) => value.split(','))])
      .transform((ids) => ids.map((id) => id.trim()).filter(Boolean))
      .pipe(
        z.array(z.string().regex(/^\d{12}$/, 'must be 12-digit AWS account ids, comma-separated')),
      )
      .default([]),
    /** Requests per second the survey endpoint accepts (steady, and in a burst). */
    answerRateLimit: z.coerce.number().int().min(1).max(10_000).default(50),
    answerBurstLimit: z.coerce.number().int().min(1).max(10_000).default(100),
    /**
     * The company's OpenID Connect issuer for the dashboard's sign-in (Okta, Entra ID, Google…).
     * @default - an Amazon Cognito user pool in the stack, leads invited by `afterword leads invite`
     */
    oidcIssuer: z.url({ protocol: /^https$/, error: 'must be an https URL' }).optional(),
    /** The dashboard's client id at that issuer (its redirect URI: `<SurveyUrl>/dashboard/auth/callback`). */
    oidcClientId: z.string().min(1).optional(),
    /** A Secrets Manager secret holding that client's secret, for a confidential client. */
    oidcClientSecretArn: z
      .string()
      .startsWith('arn:aws', 'must be a Secrets Manager secret ARN')
      .optional(),
    /** The ID-token claim listing the user's groups (`cx-lead`, `owner`) at that issuer. */
    oidcGroupsClaim: z.string().min(1).default('groups'),
    /** The issuer's sign-out URL, when its discovery document names none. */
    oidcLogoutUrl: z.url({ protocol: /^https$/, error: 'must be an https URL' }).optional(),
    /**
     * The Cognito sign-in domain's prefix (`<prefix>.auth.<region>.amazoncognito.com`), unique in
     * the region. @default - `afterword-<account id>`
     */
    authDomainPrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be lower-case letters, digits and "-"')
      .refine(
        (prefix) => !/aws|amazon|cognito/.test(prefix),
        'may not contain aws, amazon or cognito',
      )
      .optional(),
    /** Whether dashboard users of the Cognito pool must use a second factor (TOTP). */
    dashboardMfa: z.enum(['required', 'optional']).default('required'),
    /**
     * `true` lets a stack synthesize with addresses on placeholder domains (a sandbox account, the
     * tests), with a warning; otherwise they stop synth: surveys would go out from, and owners'
     * case emails to, addresses nobody reads.
     */
    allowPlaceholderAddresses: z
      .union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')])
      .default(false),
  })
  .refine((p) => Boolean(p.oidcIssuer) === Boolean(p.oidcClientId), {
    message: 'oidcIssuer and oidcClientId go together: give both, or neither for Cognito',
    path: ['oidcIssuer'],
  })
  .refine((p) => Boolean(p.surveyDomain) === Boolean(p.surveyCertificateArn), {
    message: 'surveyDomain and surveyCertificateArn go together: give both or neither',
    path: ['surveyDomain'],
  })
  .refine(
    (p) =>
      !p.edgeProtection ||
      !p.surveyCertificateArn ||
      p.surveyCertificateArn.startsWith('arn:aws:acm:us-east-1:'),
    {
      message:
        'with edgeProtection the certificate must be in us-east-1 (CloudFront takes certificates from there only)',
      path: ['surveyCertificateArn'],
    },
  );
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
