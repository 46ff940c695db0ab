/**
 * The front door's web ACL (AWS WAF, CloudFront scope): a per-client limit in front of the survey
 * endpoint, which HTTP APIs cannot carry themselves. CloudFront takes web ACLs from us-east-1
 * only, so the ACL lives in the stack when that is its region, and otherwise in a small stack of
 * its own there (`AfterwordEdgeStack`, which the CDK app adds).
 *
 * Rules, in order: AWS's IP reputation list and known-bad-inputs rule groups (baseline groups,
 * no subscription), then a rate limit per client IP on the survey links, and a separate, four
 * times more generous one on unsubscribing, so a client that spent its survey budget (a flood from
 * a shared address, a mail scanner) still unsubscribes.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** How many times the survey links' per-client budget unsubscribing gets (as locally). */
export const EDGE_UNSUBSCRIBE_FACTOR = 4;

/** The web ACL's rules, in order (the cost model prices each). */
export const EDGE_RULE_NAMES = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'RateLimitSurveyLinks',
  'RateLimitUnsubscribe',
] as const;

/** The window WAF counts a client's requests over, in seconds. */
export const EDGE_WINDOW_SECONDS = 300;

export interface EdgeProtectionProps {
  /** Requests one client IP may make to the survey links per EDGE_WINDOW_SECONDS. */
  rateLimit: number;
}

const visibility = (metricName: string) => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  // No sampled requests: they would keep request paths, and the paths hold link tokens.
  sampledRequestsEnabled: false,
});

const unsubscribePath: wafv2.CfnWebACL.StatementProperty = {
  byteMatchStatement: {
    fieldToMatch: { uriPath: {} },
    positionalConstraint: 'STARTS_WITH',
    searchString: '/u/',
    textTransformations: [{ priority: 0, type: 'NONE' }],
  },
};

export class EdgeProtection extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeProtectionProps) {
    super(scope, id);
    const managed = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    });
    const tooMany: wafv2.CfnWebACL.RuleActionProperty = {
      block: {
        customResponse: { responseCode: 429, customResponseBodyKey: 'tooMany' },
      },
    };
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      description: 'Afterword survey endpoint: a per-client limit and AWS managed protections',
      visibilityConfig: visibility('AfterwordSurveyEndpoint'),
      customResponseBodies: {
        tooMany: {
          contentType: 'TEXT_PLAIN',
          content: 'Too many requests. Please try again in a few minutes.',
        },
      },
      rules: [
        managed('AWSManagedRulesAmazonIpReputationList', 0),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 1),
        {
          name: 'RateLimitSurveyLinks',
          priority: 2,
          action: tooMany,
          statement: {
            rateBasedStatement: {
              limit: props.rateLimit,
              aggregateKeyType: 'IP',
              evaluationWindowSec: EDGE_WINDOW_SECONDS,
              scopeDownStatement: { notStatement: { statement: unsubscribePath } },
            },
          },
          visibilityConfig: visibility('RateLimitSurveyLinks'),
        },
        {
          name: 'RateLimitUnsubscribe',
          priority: 3,
          action: tooMany,
          statement: {
            rateBasedStatement: {
              limit: props.rateLimit * EDGE_UNSUBSCRIBE_FACTOR,
              aggregateKeyType: 'IP',
              evaluationWindowSec: EDGE_WINDOW_SECONDS,
              scopeDownStatement: unsubscribePath,
            },
          },
          visibilityConfig: visibility('RateLimitUnsubscribe'),
        },
      ],
    });
  }
}

/** Where the edge stack leaves its web ACL's ARN for the stack in another region to read. */
export function edgeParameterName(stackName: string): string {
  return `/afterword/${stackName}/edge-web-acl-arn`;
}

/**
 * The web ACL alone, in us-east-1, for a stack deployed in another region; its ARN is left in an
 * SSM parameter there, which the stack reads across regions when it deploys.
 */
export class AfterwordEdgeStack extends Stack {
  readonly protection: EdgeProtection;
  readonly parameterName: string;

  constructor(
    scope: Construct,
    id: string,
    props: StackProps & EdgeProtectionProps & { mainStackName: string },
  ) {
    super(scope, id, props);
    this.protection = new EdgeProtection(this, 'Edge', { rateLimit: props.rateLimit });
    this.parameterName = edgeParameterName(props.mainStackName);
    new ssm.StringParameter(this, 'WebAclArn', {
      parameterName: this.parameterName,
      stringValue: this.protection.webAcl.attrArn,
      description: 'The Afterword survey endpoint web ACL, for the stack in its own region',
    });
  }
}
