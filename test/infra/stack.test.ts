/**
 * The CDK stack, synthesised offline with no AWS credentials: cdk-nag (AwsSolutions and
 * Serverless) must report nothing unacknowledged, and the template must say what matters.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../lib/config/load.js';
import { RULES } from '../../lib/contracts/rules.js';
import { INDEX, TTL_ATTRIBUTE } from '../../lib/store/table.js';
import { AfterwordStack } from '../../infra/afterword-stack.js';
import { UNSUBSCRIBE_ROUTE_KEY } from '../../infra/afterword/survey-web.js';
import { Afterword } from '../../infra/afterword.js';
import { defineAfterword } from '../../infra/afterword-app.js';
import { applySuppressions, type Acknowledged } from '../../infra/nag-suppressions.js';
import { parseParameters } from '../../infra/parameters.js';
import { EDGE_RULES, STACK_ALARMS } from '../bench/cost.js';
import { BUNDLE_BUDGET_KB, type FunctionName } from '../../infra/bundling.js';
import { bundleBytes } from '../../infra/split-build.js';
import { eventTypeName, PUBLISHED_EVENTS } from '../../lib/contracts/published.js';
import { CDK_CONTEXT } from '../support/cdk-context.js';

const require = createRequire(import.meta.url);

/** The bundle (handler file) behind each of the stack's functions. */
const bundleNameOf = (name: string): FunctionName =>
  (({ answer: 'answer-http', dashboard: 'dashboard-http' }) as Record<string, FunctionName>)[
    name
  ] ?? (name as FunctionName);

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

function synth(
  options: { parameters?: Record<string, unknown>; extra?: (stack: AfterwordStack) => void } = {},
) {
  const outdir = mkdtempSync(join(tmpdir(), 'afterword-synth-'));
  const app = new App({ outdir, context: CDK_CONTEXT });
  const stack = new AfterwordStack(app, 'Afterword', {
    // The shipped config's addresses are placeholders: a sandbox's say-so (a test below holds
    // that synth stops without it).
    parameters: parseParameters({ allowPlaceholderAddresses: true, ...options.parameters }),
  });
  const acknowledged = applySuppressions(stack.afterword);
  options.extra?.(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  const assembly = app.synth();
  return { stack, acknowledged, outdir, assembly, template: Template.fromStack(stack) };
}

/** A stack's template alone, for a parameter's effect (no cdk-nag, no bundling). */
function synthTemplate(parameters: Record<string, unknown>): Template {
  const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stack = new AfterwordStack(app, 'Afterword', {
    parameters: parseParameters({ allowPlaceholderAddresses: true, ...parameters }),
  });
  return Template.fromStack(stack);
}

describe('the CDK stack', () => {
  let stack: AfterwordStack;
  let template: Template;
  let acknowledged: Acknowledged[];
  let outdir: string;
  let resources: Record<string, Resource>;

  beforeAll(() => {
    ({ stack, template, acknowledged, outdir } = synth({
      parameters: { alarmEmail: 'ops@acme.example' },
    }));
    resources = template.toJSON().Resources as Record<string, Resource>;
  }, 120_000);

  const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(
      construct.node.defaultChild as Parameters<AfterwordStack['getLogicalId']>[0],
    );

  it('passes cdk-nag, and every acknowledged finding carries a specific reason', () => {
    // synth() throws on any unacknowledged cdk-nag error; reaching here means none.
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledged) {
      expect(id).toMatch(/^(AwsSolutions|Serverless)::/);
      expect(reason.length, `reason for ${id}`).toBeGreaterThan(60);
    }
  });

  it('fails synth when cdk-nag finds something not acknowledged', () => {
    expect(() =>
      synth({
        extra: (s) => {
          new sqs.Queue(s, 'Careless', { encryption: sqs.QueueEncryption.UNENCRYPTED });
        },
      }),
    ).toThrowError(/AwsSolutions-SQS2/);
  }, 120_000);

  // What each function may do is proven by the permission contract (test/permissions/), which
  // evaluates the calls the functions make against these policies with a real IAM evaluator.
  it('grants no "*" action, and a "*" resource only where AWS requires it (SES GetAccount)', () => {
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(statements.length).toBeGreaterThan(10);
    for (const statement of statements) {
      const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
      for (const action of actions) expect(action).not.toMatch(/\*/);
      if (statement.Resource === '*') expect(actions).toEqual(['ses:GetAccount']);
    }
  });

  it('runs every function on Node.js 22, arm64, untraced, logging JSON, with a log group kept 30 days', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(Object.keys(stack.afterword.functions).length);
    for (const fn of Object.values(functions) as Resource[]) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' },
      });
      expect(fn.Properties.TracingConfig).toBeUndefined();
    }
    // one per function, the survey API's access logs, and the archive of Afterword's events
    template.resourcePropertiesCountIs(
      'AWS::Logs::LogGroup',
      { RetentionInDays: 30 },
      Object.keys(stack.afterword.functions).length + 2,
    );
  });

  it('sends what fails on every async path to a dead-letter queue, with an alarm on each', () => {
    for (const name of ['intake', 'dispatch', 'rollup', 'feedback', 'launch'] as const) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalId(stack.afterword.functions[name].function) },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: {
              'Fn::GetAtt': [logicalId(stack.afterword.deadLetterQueues[name]), 'QueueName'],
            },
          },
        ],
      });
    }
    const rules = template.findResources('AWS::Events::Rule') as Record<string, Resource>;
    // the shared rules, and the archive of Afterword's own events
    expect(Object.keys(rules)).toHaveLength(RULES.length + 1);
    for (const rule of Object.values(rules)) {
      const [target] = rule.Properties.Targets as {
        DeadLetterConfig?: unknown;
        RetryPolicy?: unknown;
      }[];
      expect(target?.DeadLetterConfig).toBeDefined();
      expect(target?.RetryPolicy).toEqual({
        MaximumEventAgeInSeconds: 86_400,
        MaximumRetryAttempts: 185,
      });
    }
    for (const schedule of Object.values(
      template.findResources('AWS::Scheduler::Schedule'),
    ) as Resource[]) {
      expect(
        (schedule.Properties.Target as { DeadLetterConfig?: unknown }).DeadLetterConfig,
      ).toBeDefined();
    }
  });

  it("counts the table's stream: tumbling windows (they name the shard), invitations only, retried for a day, then dead-lettered", () => {
    const [table] = Object.values(
      template.findResources('AWS::DynamoDB::GlobalTable'),
    ) as Resource[];
    expect(table?.Properties.StreamSpecification).toEqual({
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    const count = stack.afterword.functions.count;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(count.function) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.afterword.table), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      TumblingWindowInSeconds: 60,
      ParallelizationFactor: 1,
      MaximumRecordAgeInSeconds: 23 * 3600,
      MaximumRetryAttempts: Match.absent(), // until the records are 23 hours old
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ dynamodb: { Keys: { pk: { S: [{ prefix: 'INV#' }] } } } }) },
        ],
      },
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetAtt': [logicalId(stack.afterword.deadLetterQueues.count), 'Arn'],
          },
        },
      },
    });
    // It writes counters and shard positions, and no other item.
    const roleId = logicalId(count.role);
    const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[])
      .filter((policy) =>
        (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
      )
      .flatMap(
        (policy) =>
          (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
      );
    const writes = statements.filter((statement) =>
      [statement.Action].flat().some((action) => /Item$/.test(String(action))),
    );
    expect(writes).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:UpdateItem',
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['COUNT#*', 'STREAMPOS#*'] },
        },
      }),
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Threshold: 30 * 60 * 1000,
    });
  });

  it('routes events by the very patterns the local bus uses', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as Resource[];
    for (const definition of RULES) {
      expect(rules.map((r) => r.Properties.EventPattern)).toContainEqual(definition.pattern);
    }
  });

  it('keeps the table: on demand, point-in-time recovery, encrypted, retained, with TTL and the designed indexes', () => {
    const [table] = Object.values(
      template.findResources('AWS::DynamoDB::GlobalTable'),
    ) as Resource[];
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
    const replica = (table?.Properties.Replicas as Record<string, unknown>[])[0]!;
    expect(replica).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    const indexes = (table?.Properties.GlobalSecondaryIndexes as { IndexName: string }[])
      .map((i) => i.IndexName)
      .sort();
    expect(indexes).toEqual(
      Object.values(INDEX)
        .map((i) => i.name)
        .sort(),
    );
  });

  it('erases customers with its own function, granted only what an erasure does', () => {
    const roleId = logicalId(stack.afterword.functions.erasure.role);
    const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[])
      .filter((policy) =>
        (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
      )
      .flatMap(
        (policy) =>
          (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
      );
    const actions = statements.flatMap((statement) => [statement.Action].flat() as string[]);
    const deletes = statements.find((statement) => statement.Action === 'dynamodb:DeleteItem');
    expect(deletes?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CONTACTS#*', 'CUST#*', 'SUPP#*'] },
    });
    expect(actions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual(
      [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:Query', // the table (the directory, by address)
        'dynamodb:Query', // the byCustomer index
        'dynamodb:UpdateItem',
      ].sort(),
    );
    const publish = statements.find((statement) => statement.Action === 'events:PutEvents');
    expect(publish?.Condition).toMatchObject({
      'ForAllValues:StringEquals': { 'events:detail-type': ['Customer Erased'] },
    });
    expect(actions).toContain('secretsmanager:GetSecretValue'); // the consent key
    expect(actions.some((action) => /Scan|BatchWrite|PutItem|ses:/.test(action))).toBe(false);
    // Requested on the stack's bus, retried, then dead-lettered.
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': ['Customer Erasure Requested'] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(stack.afterword.functions.erasure.function), 'Arn'] },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
  });

  it('keeps every personal item kind behind the table TTL attribute, and the consent key for good', () => {
    // Items that hold personal data carry expireAt (test/integration/privacy.test.ts proves each
    // kind does); the table must expire by that attribute.
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
    const key = resources[logicalId(stack.afterword.consentKey)]!;
    expect(key.DeletionPolicy).toBe('Retain');
    expect(
      (
        Object.values(template.findResources('AWS::SecretsManager::RotationSchedule')) as Resource[]
      ).filter(
        (rotation) =>
          JSON.stringify(rotation.Properties.SecretId) ===
          JSON.stringify({ Ref: logicalId(stack.afterword.consentKey) }),
      ),
    ).toHaveLength(0);
  });

  it('keeps the day indexes projecting exactly what deployed tables hold (DynamoDB cannot change a projection in place)', () => {
    const [table] = Object.values(
      template.findResources('AWS::DynamoDB::GlobalTable'),
    ) as Resource[];
    const indexes = table!.Properties.GlobalSecondaryIndexes as {
      IndexName: string;
      Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
    }[];
    // Pinned on purpose: this is what every deployed table's indexes project. Adding an attribute
    // here breaks `cdk deploy` of existing stacks; carry new data in the keys or the base table.
    const deployedProjection = [
      'invitationId',
      'status',
      'reason',
      'touchpoint',
      'channel',
      'segment',
      'journeyStep',
      'metric',
      'sendAt',
      'decidedAt',
      'sentAt',
      'deliveredAt',
      'bouncedAt',
      'complainedAt',
      'answeredAt',
      'score',
    ];
    for (const name of [INDEX.byDay.name, INDEX.answersByDay.name]) {
      const index = indexes.find((i) => i.IndexName === name)!;
      expect(index.Projection, name).toEqual({
        ProjectionType: 'INCLUDE',
        NonKeyAttributes: deployedProjection,
      });
    }
    for (const name of [INDEX.outbox.name, INDEX.byCustomer.name]) {
      expect(indexes.find((i) => i.IndexName === name)!.Projection).toEqual({
        ProjectionType: 'KEYS_ONLY',
      });
    }
  });

  it('dispatches every minute and rolls up nightly in the configured time zone', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 2 * * ? *)',
      ScheduleExpressionTimezone: loadConfig().timeZone,
    });
  });

  it('runs each tracking or periodic program on its own schedule, from the config, in its zone', () => {
    const launchArn = logicalId(stack.afterword.functions.launch.function);
    const schedules = (
      Object.values(template.findResources('AWS::Scheduler::Schedule')) as Resource[]
    ).filter((schedule) =>
      JSON.stringify((schedule.Properties.Target as { Arn: unknown }).Arn).includes(launchArn),
    );
    const scheduled = loadConfig().programs.filter((program) => program.kind !== 'event');
    expect(scheduled.map((program) => program.touchpoint)).toEqual(['relationship']);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]!.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 10 ? * MON#1 *)',
      ScheduleExpressionTimezone: loadConfig().timeZone,
      Target: {
        Input: JSON.stringify({
          touchpoint: 'relationship',
          scheduledTime: '<aws.scheduler.scheduled-time>',
        }),
      },
    });
  });

  it('throttles the survey endpoint and logs requests without their paths (they hold link tokens)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')) as Resource[];
    const format = (stage?.Properties.AccessLogSettings as { Format: string }).Format;
    expect(format).toContain('$context.requestId');
    expect(format).not.toMatch(/\$context\.(path|identity\.sourceIp)/);
  });

  it('puts a front door before the survey endpoint: CloudFront with a web ACL limiting each client', () => {
    const [distribution] = Object.values(
      template.findResources('AWS::CloudFront::Distribution'),
    ) as Resource[];
    const config = distribution!.Properties.DistributionConfig as Record<string, unknown>;
    expect(config.WebACLId).toEqual({
      'Fn::GetAtt': [stack.getLogicalId(stack.afterword.edge!.webAcl), 'Arn'],
    });
    expect(config.Logging).toBeUndefined(); // paths hold link tokens
    const origin = (config.Origins as { DomainName: unknown; CustomOriginConfig: unknown }[])[0]!;
    expect(JSON.stringify(origin.DomainName)).toContain(logicalId(stack.afterword.surveyApi));
    expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only' });
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      // Managed-CachingDisabled and Managed-AllViewerExceptHostHeader
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
    });
    const [acl] = Object.values(template.findResources('AWS::WAFv2::WebACL')) as Resource[];
    expect(acl!.Properties.Scope).toBe('CLOUDFRONT');
    const rules = acl!.Properties.Rules as {
      Name: string;
      Statement: Record<string, Record<string, unknown>>;
    }[];
    expect(rules).toHaveLength(EDGE_RULES); // the cost model prices this many rules a month
    expect(rules.map((rule) => rule.Name)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'RateLimitSurveyLinks',
      'RateLimitUnsubscribe',
    ]);
    const rate = (name: string) =>
      rules.find((rule) => rule.Name === name)!.Statement.RateBasedStatement!;
    expect(rate('RateLimitSurveyLinks')).toMatchObject({ Limit: 300, AggregateKeyType: 'IP' });
    expect(rate('RateLimitSurveyLinks').ScopeDownStatement).toHaveProperty('NotStatement');
    // Unsubscribing keeps its own, more generous budget.
    expect(rate('RateLimitUnsubscribe')).toMatchObject({ Limit: 1200, AggregateKeyType: 'IP' });
    expect(JSON.stringify(rate('RateLimitUnsubscribe').ScopeDownStatement)).toContain('"/u/"');
    // No sampled requests (they would keep paths).
    expect(JSON.stringify(acl!.Properties)).not.toContain('"SampledRequestsEnabled":true');
    // Links point at the front door.
    const env = (
      resources[logicalId(stack.afterword.functions.dispatch.function)]!.Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(JSON.stringify(env.PUBLIC_BASE_URL)).toContain(logicalId(stack.afterword.distribution!));
  });

  it('lets producers in other accounts put interactions, by a bus policy holding the producer policy’s promise', () => {
    synthTemplate({}).resourceCountIs('AWS::Events::EventBusPolicy', 0);
    const shared = synthTemplate({ producerAccounts: '111111111111, 222222222222' });
    shared.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Action: 'events:PutEvents',
        Principal: {
          AWS: [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] },
          ],
        },
        Condition: {
          'ForAllValues:StringEquals': { 'events:detail-type': ['Interaction Completed'] },
          'ForAllValues:StringNotEquals': { 'events:source': ['afterword'] },
          Null: { 'events:source': 'false', 'events:detail-type': 'false' },
        },
      }),
    });
    expect(() => parseParameters({ producerAccounts: '12345' })).toThrowError(/12-digit/);
  });

  it('leaves the front door out when edgeProtection is off, and moves the custom domain to it when on', () => {
    const off = synthTemplate({ edgeProtection: 'false' });
    off.resourceCountIs('AWS::CloudFront::Distribution', 0);
    off.resourceCountIs('AWS::WAFv2::WebACL', 0);
    const own = synthTemplate({
      surveyDomain: 'survey.acme.example',
      surveyCertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/abc',
    });
    own.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['survey.acme.example'],
        ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021' }),
      }),
    });
    own.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    expect(() =>
      parseParameters({
        surveyDomain: 'survey.acme.example',
        surveyCertificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc',
      }),
    ).toThrowError(/us-east-1/);
  });

  it('keeps the web ACL in us-east-1 for a stack in another region, read back across regions, cdk-nag clean', () => {
    const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const { stack: main, edge } = defineAfterword(app, {
      stackName: 'Afterword',
      parameters: parseParameters({ allowPlaceholderAddresses: true }),
      env: { account: '111122223333', region: 'eu-west-1' },
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    app.synth(); // throws on any cdk-nag finding not acknowledged
    expect(edge?.region).toBe('us-east-1');
    const edgeTemplate = Template.fromStack(edge!);
    edgeTemplate.resourceCountIs('AWS::WAFv2::WebACL', 1);
    edgeTemplate.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/afterword/Afterword/edge-web-acl-arn',
    });
    const mainTemplate = Template.fromStack(main);
    mainTemplate.resourceCountIs('AWS::WAFv2::WebACL', 0);
    mainTemplate.hasResourceProperties('Custom::AWS', {
      Update: Match.stringLikeRegexp('"region":"us-east-1"'),
    });
    expect(main.dependencies).toContain(edge);
  });

  it('gives unsubscribing a route, and so a throttle, of its own: a flood of survey links cannot starve it', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: UNSUBSCRIBE_ROUTE_KEY,
      Target: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: {
        [UNSUBSCRIBE_ROUTE_KEY]: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      },
    });
    // the route goes to the answer function, like the survey routes
    const integrations = Object.values(
      template.findResources('AWS::ApiGatewayV2::Integration'),
    ) as Resource[];
    const answerArn = {
      'Fn::GetAtt': [logicalId(stack.afterword.functions.answer.function), 'Arn'],
    };
    expect(
      integrations.filter(
        (integration) =>
          JSON.stringify(integration.Properties.IntegrationUri) === JSON.stringify(answerArn),
      ),
    ).toHaveLength(2);
  });

  it('sends SES delivery, bounce and complaint events to EventBridge through a configuration set', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        MatchingEventTypes: Match.arrayWith(['delivery', 'bounce', 'complaint']),
        EventBridgeDestination: Match.anyValue(),
      }),
    });
  });

  it('alarms on errors, backlog age, unknown sends, failed event publishes, API 5xx and SES reputation, and mails the alarm address', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DueBacklogAgeSeconds',
      Namespace: 'Afterword',
    });
    // One survey SES may have sent, or one event subscribers missed, is already worth a look.
    for (const metric of ['UnknownSends', 'EventPublishFailures']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'Afterword',
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5xx',
      Namespace: 'AWS/ApiGateway',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Reputation.BounceRate',
      Threshold: 0.04,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Reputation.ComplaintRate',
      Threshold: 0.0008,
    });
    // The cost benchmark prices this many alarms a month.
    template.resourceCountIs('AWS::CloudWatch::Alarm', STACK_ALARMS);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@acme.example',
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('puts the dashboard behind sign-in: a Cognito pool without self sign-up, MFA, and the callback on the dashboard', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
      MfaConfiguration: 'ON',
    });
    const [client] = Object.values(
      template.findResources('AWS::Cognito::UserPoolClient'),
    ) as Resource[];
    expect(client!.Properties).toMatchObject({
      AllowedOAuthFlows: ['code'],
      GenerateSecret: false,
      SupportedIdentityProviders: ['COGNITO'],
    });
    expect(JSON.stringify(client!.Properties.CallbackURLs)).toContain('/dashboard/auth/callback');
    expect(JSON.stringify(client!.Properties.LogoutURLs)).toContain('/dashboard/auth/signed-out');
    for (const group of ['cx-lead', 'owner']) {
      template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: group });
    }
    template.resourceCountIs('AWS::Cognito::ManagedLoginBranding', 1);
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Resource[];
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual([
      '$default',
      'ANY /dashboard',
      'ANY /dashboard/{proxy+}',
      UNSUBSCRIBE_ROUTE_KEY,
    ]);
  });

  it("signs in with the company's own issuer instead when given one, and makes no user pool", () => {
    const { template: external } = synth({
      parameters: {
        oidcIssuer: 'https://acme.okta.example/oauth2/default',
        oidcClientId: 'afterword-dashboard',
        oidcClientSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:okta-AbCdEf',
      },
    });
    external.resourceCountIs('AWS::Cognito::UserPool', 0);
    const dashboardFn = Object.values(external.findResources('AWS::Lambda::Function')).find((fn) =>
      JSON.stringify(fn).includes('OIDC_ISSUER'),
    ) as Resource;
    expect(
      (dashboardFn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    ).toMatchObject({
      OIDC_ISSUER: 'https://acme.okta.example/oauth2/default',
      OIDC_CLIENT_ID: 'afterword-dashboard',
      OIDC_GROUPS_CLAIM: 'groups',
      OIDC_CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:okta-AbCdEf',
    });
    expect(() => parseParameters({ oidcIssuer: 'http://insecure.example' })).toThrowError(
      /afterword\.oidcIssuer: must be an https URL/,
    );
  }, 120_000);

  it("shows each touchpoint's daily score against its target on the CloudWatch dashboard", () => {
    const [dashboard] = Object.values(
      template.findResources('AWS::CloudWatch::Dashboard'),
    ) as Resource[];
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const program of loadConfig().programs) {
      expect(body).toContain(`${program.touchpoint}: ${program.metric.toUpperCase()} by day`);
      expect(body).toContain(`\\"Touchpoint\\",\\"${program.touchpoint}\\"`);
    }
    expect(body).toContain('\\"label\\":\\"target\\"');
  });

  it('exports the rollup rows for BI tools: a private, encrypted, TLS-only bucket and a Glue table over it', () => {
    const buckets = Object.values(template.findResources('AWS::S3::Bucket')) as Resource[];
    expect(buckets).toHaveLength(2); // the exports, and their access logs
    for (const bucket of buckets) {
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
    }
    for (const policy of Object.values(
      template.findResources('AWS::S3::BucketPolicy'),
    ) as Resource[]) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain(
        '"aws:SecureTransport":"false"',
      );
    }
    // Lifecycle-managed: a day's file is rewritten nightly while it is recomputed, so old versions
    // go after 30 days; files move to infrequent access after 90; access logs go after 90.
    const exportsBucket = buckets.find((b) => b.Properties.VersioningConfiguration)!;
    expect(exportsBucket.Properties.LifecycleConfiguration).toEqual({
      Rules: [
        { NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' },
        {
          Status: 'Enabled',
          Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 90 }],
        },
      ],
    });
    const logsBucket = buckets.find((b) => b !== exportsBucket)!;
    expect(logsBucket.Properties.LifecycleConfiguration).toEqual({
      Rules: [{ ExpirationInDays: 90, Status: 'Enabled' }],
    });
    const [table] = Object.values(template.findResources('AWS::Glue::Table')) as Resource[];
    const input = table!.Properties.TableInput as {
      Parameters: Record<string, string>;
      PartitionKeys: { Name: string }[];
      StorageDescriptor: {
        Columns: { Name: string }[];
        SerdeInfo: { SerializationLibrary: string };
      };
    };
    expect(input.Parameters['projection.enabled']).toBe('true');
    expect(input.PartitionKeys).toEqual([{ Name: 'day', Type: 'string' }]);
    expect(input.StorageDescriptor.Columns.map((c) => c.Name)).toEqual(
      expect.arrayContaining(['touchpoint', 'journeyId', 'answered', 'scores', 'skipped']),
    );
    expect(JSON.stringify(table!.Properties)).toContain('rollups/day=${day}/');
    const outputs = Object.keys(template.toJSON().Outputs as object);
    expect(outputs).toEqual(
      expect.arrayContaining(['ExportBucketName', 'ExportGlueTable', 'BiReaderPolicyArn']),
    );
  });

  it('gives analysts a read-only policy and archives Afterword’s own events for them', () => {
    const outputs = Object.keys(template.toJSON().Outputs as object);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'AnalystPolicyArn',
        'EventArchiveLogGroup',
        'DeadLetterQueueUrls',
        'ConfigHash',
      ]),
    );
    const analyst = resources[logicalId(stack.afterword.analystPolicy)]!;
    const actions = (
      analyst.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }
    ).Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    // reads only: no write, put, send or delete of any kind
    for (const action of actions)
      expect(action).toMatch(/:(Describe|Query|BatchGet|Get|Filter|Receive)/);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['afterword'] },
    });
  });

  it('registers every event it takes and emits in an EventBridge schema registry, for code bindings', () => {
    const registries = template.findResources('AWS::EventSchemas::Registry');
    expect(Object.keys(registries)).toHaveLength(1);
    const schemas = Object.values(
      template.findResources('AWS::EventSchemas::Schema') as Record<string, Resource>,
    ).map(
      (resource) => resource.Properties as { SchemaName: string; Type: string; Content: string },
    );
    expect(schemas.map((schema) => schema.SchemaName).sort()).toEqual(
      PUBLISHED_EVENTS.map(
        (event) => `${event.source ?? 'producers'}@${eventTypeName(event)}`,
      ).sort(),
    );
    for (const schema of schemas) {
      expect(schema.Type).toBe('OpenApi3');
      const content = JSON.parse(schema.Content) as {
        components: { schemas: { AWSEvent: Record<string, unknown> } };
      };
      expect(PUBLISHED_EVENTS.map((event) => event.detailType)).toContain(
        content.components.schemas.AWSEvent['x-amazon-events-detail-type'],
      );
    }
    expect(Object.keys(template.toJSON().Outputs as object)).toContain('EventSchemaRegistry');
  });

  it('outputs what a platform engineer needs to wire producers', () => {
    const outputs = Object.keys(template.toJSON().Outputs as object);
    expect(outputs).toEqual(
      expect.arrayContaining(['EventBusName', 'EventBusArn', 'SurveyUrl', 'ProducerPolicyArn']),
    );
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'events:PutEvents' })] },
    });
  });

  it('bundles each function, with the programs config, within its size budget', () => {
    const bundles = readdirSync(outdir)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => join(outdir, name))
      .filter((dir) => readdirSync(dir).includes('index.mjs'));
    expect(bundles).toHaveLength(Object.keys(stack.afterword.functions).length);
    // Which bundle is which function: the template's code asset of each.
    const functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    for (const [name, fn] of Object.entries(stack.afterword.functions)) {
      const asset = functions[logicalId(fn.function)]!.Properties.Code as { S3Key: string };
      const dir = bundles.find((d) => asset.S3Key.startsWith(d.split('asset.')[1]!))!;
      expect(readdirSync(dir)).toContain('afterword.config.json');
      const budget = BUNDLE_BUDGET_KB[bundleNameOf(name)];
      // Soft: one run names every bundle over its budget, not only the first.
      // the handler and its chunks (split-build.ts): what is deployed
      expect.soft(bundleBytes(dir), name).toBeLessThan(budget * 1024);
      expect(readdirSync(join(dir, 'chunks')).length, name).toBeGreaterThan(0);
    }
  });

  it('keeps the logical ids of what holds data, so no upgrade replaces it (and loses it)', () => {
    // A changed logical id makes CloudFormation create a new resource and drop the old one: the
    // table with every answer, the link-signing key (every link in customers' inboxes), the users.
    const ids = (type: string) => Object.keys(template.findResources(type)).sort();
    expect(ids('AWS::DynamoDB::GlobalTable')).toEqual(['TableCD117FA1']);
    expect(ids('AWS::SecretsManager::Secret')).toEqual(
      expect.arrayContaining(['LinkSigningSecret6FCDA02C', 'ConsentKey96F60447']),
    );
    expect(ids('AWS::Cognito::UserPool')).toEqual(['DashboardUsersA3A66B09']);
    expect(ids('AWS::S3::Bucket')).toEqual(['ExportAccessLogs5C4143F2', 'ExportBucket4E99310E']);
  });

  it('sets every feature flag CDK recommends, at its recommended value', () => {
    // A flag left out means CDK's legacy behaviour for that resource: the template a deploy makes
    // would not be the one CDK's current defaults (and the tests, which synthesize with cdk.json's
    // context) describe.
    const recommended = JSON.parse(
      readFileSync(
        join(
          dirname(require.resolve('aws-cdk-lib/package.json')),
          'recommended-feature-flags.json',
        ),
        'utf8',
      ),
    ) as Record<string, unknown>;
    expect(Object.keys(recommended).length).toBeGreaterThan(50);
    const notAsRecommended = Object.entries(recommended)
      .filter(([flag, value]) => JSON.stringify(CDK_CONTEXT[flag]) !== JSON.stringify(value))
      .map(
        ([flag, value]) =>
          `${flag}: ${JSON.stringify(CDK_CONTEXT[flag])}, recommended ${JSON.stringify(value)}`,
      );
    expect(notAsRecommended).toEqual([]);
  });

  it('stops synth on addresses still on placeholder domains, unless a sandbox says it means them', () => {
    const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const strict = new AfterwordStack(app, 'Strict', { parameters: parseParameters({}) });
    expect(() => app.synth()).toThrowError(
      /placeholder domains.*programs\[0\]\.owner\.email = \S+@acme\.example.*-c afterword:allowPlaceholderAddresses=true/s,
    );
    expect(strict.stackName).toBe('Strict');
    expect(parseParameters({ allowPlaceholderAddresses: 'true' }).allowPlaceholderAddresses).toBe(
      true,
    );
    expect(() => parseParameters({ allowPlaceholderAddresses: 'yes' })).toThrowError(
      /allowPlaceholderAddresses/,
    );
  });

  it('warns at synth about addresses still on placeholder domains, naming each', () => {
    const warnings = Annotations.fromStack(stack)
      .findWarning('*', Match.stringLikeRegexp('placeholder domains'))
      .map((warning) => warning.entry.data as string);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('sender = surveys@acme.example');
    expect(warnings[0]).toMatch(/programs\[0\]\.owner\.email = \S+@acme\.example/);
    expect(warnings[0]).toMatch(/digest\.recipients\[0\] = /);

    // The same config on the company's own domain synthesizes without the warning.
    const dir = mkdtempSync(join(tmpdir(), 'afterword-own-domain-'));
    const configPath = join(dir, 'config.json');
    const shipped = readFileSync(DEFAULT_CONFIG_PATH, 'utf8');
    writeFileSync(
      configPath,
      shipped.replaceAll('acme.example', 'acme-corp.com').replace(/"\$schema":[^,]*,/, ''),
    );
    const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const own = new AfterwordStack(app, 'OwnDomain', {
      parameters: parseParameters({ configPath, alarmEmail: 'ops@acme-corp.com' }),
    });
    expect(
      Annotations.fromStack(own).findWarning('*', Match.stringLikeRegexp('placeholder')),
    ).toEqual([]);
  });

  it('stops synth on an invalid programs config, listing its problems by path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'afterword-bad-config-'));
    const configPath = join(dir, 'config.json');
    const config = structuredClone(loadConfig(DEFAULT_CONFIG_PATH)) as unknown as {
      programs: { metric: string }[];
    };
    config.programs[0]!.metric = 'vibes';
    writeFileSync(configPath, JSON.stringify(config));
    expect(
      () =>
        new AfterwordStack(new App({ context: CDK_CONTEXT }), 'Bad', {
          parameters: parseParameters({ configPath }),
        }),
    ).toThrowError(/programs\.0\.metric/);
  });

  it('names a bad deployment parameter and its value', () => {
    expect(() => parseParameters({ alarmEmail: 'not-an-address' })).toThrowError(
      /afterword\.alarmEmail/,
    );
    expect(() => parseParameters({ surveyDomain: 'survey.acme.example' })).toThrowError(
      /give both or neither/,
    );
  });
});

describe('npx cdk synth', () => {
  it('synthesises offline with no AWS credentials, cdk-nag included', async () => {
    const { spawn } = await import('node:child_process');
    const outdir = mkdtempSync(join(tmpdir(), 'afterword-cdk-out-'));
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
    );
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const args = ['synth', '--quiet', '--output', outdir];
      // the shipped config's placeholder addresses: a sandbox synth
      args.push('-c', 'afterword:allowPlaceholderAddresses=true');
      const child = spawn('npx', ['cdk', ...args], {
        env: {
          ...env,
          AWS_ACCESS_KEY_ID: '',
          AWS_SECRET_ACCESS_KEY: '',
          AWS_PROFILE: 'afterword-none',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => resolve({ code, output }));
    });
    expect(result.code, result.output).toBe(0);
    expect(readdirSync(outdir)).toContain('Afterword.template.json');
  }, 120_000);
});

describe("the Afterword construct in a platform engineer's own app", () => {
  it("runs on the app's own bus, cdk-nag clean, and makes no bus of its own", () => {
    const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const platform = new Stack(app, 'Platform');
    const shared = new events.EventBus(platform, 'SharedBus', { eventBusName: 'company-events' });
    const afterword = new Afterword(platform, 'Surveys', {
      parameters: parseParameters({
        allowPlaceholderAddresses: true,
        producerAccounts: '111122223333',
      }),
      eventBus: shared,
    });
    const acknowledged = applySuppressions(afterword);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    app.synth();
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(Annotations.fromStack(platform).findError('*', Match.anyValue())).toEqual([]);

    const template = Template.fromStack(platform);
    const sharedId = platform.getLogicalId(shared.node.defaultChild as events.CfnEventBus);
    expect(Object.keys(template.findResources('AWS::Events::EventBus'))).toEqual([sharedId]);
    // Every rule of Afterword's on an Afterword bus listens on the shared one.
    const afterwordRules = Object.values(
      template.findResources('AWS::Events::Rule', {
        Properties: { EventBusName: { Ref: sharedId } },
      }),
    );
    expect(afterwordRules.length).toBeGreaterThanOrEqual(
      Object.values(RULES).filter((rule) => rule.bus === 'afterword').length,
    );
    // Producers in other accounts reach it through the shared bus's policy.
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: sharedId },
      StatementId: Match.stringLikeRegexp('ProducerAccounts'),
    });
    expect(afterword.bus).toBe(shared);
  });

  it('names producerAccounts as the problem when the bus given is not one of the app', () => {
    const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const platform = new Stack(app, 'Platform');
    new Afterword(platform, 'Surveys', {
      parameters: parseParameters({
        allowPlaceholderAddresses: true,
        producerAccounts: '111122223333',
      }),
      eventBus: events.EventBus.fromEventBusName(platform, 'Imported', 'company-events'),
    });
    expect(() => app.synth()).toThrowError(/producerAccounts adds to the bus policy/);
  });
});
