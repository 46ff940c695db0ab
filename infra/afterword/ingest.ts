/**
 * Events in and out: the rules that route interactions, SES feedback and erasure requests to
 * their functions; who may put interactions on the bus; the archive of Afterword's own events.
 */
import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { INTERACTION_COMPLETED } from '../../lib/contracts/interaction.js';
import { RULES, type RuleDefinition } from '../../lib/contracts/rules.js';
import { AFTERWORD_SOURCE } from '../../lib/contracts/survey-events.js';
import { AfterwordFunction } from '../afterword-function.js';
import type { DeployParameters } from '../parameters.js';
import type { Afterword, DeadLetterQueues, Functions } from '../afterword.js';

/** The rules: the same patterns the local bus routes by, each to its function with retries and a DLQ. */
export function routeEvents(
  scope: Afterword,
  {
    bus,
    defaultBus,
    functions,
    deadLetters,
  }: {
    bus: events.IEventBus;
    defaultBus: events.IEventBus;
    functions: Functions;
    deadLetters: DeadLetterQueues;
  },
): void {
  const { intake, feedback, 'follow-up': followUp, erasure } = functions;
  // Rules: the same patterns the local bus routes by.
  const ruleTargets: Record<RuleDefinition['target'], AfterwordFunction> = {
    intake,
    feedback,
    'follow-up': followUp,
    erasure,
  };
  for (const definition of RULES) {
    new events.Rule(scope, `${definition.id}Rule`, {
      description: definition.description,
      eventBus: definition.bus === 'afterword' ? bus : defaultBus,
      eventPattern: toEventPattern(definition.pattern),
      targets: [
        new targets.LambdaFunction(ruleTargets[definition.target].function, {
          deadLetterQueue: deadLetters[definition.target],
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }
}

/** What producers attach, and the bus policy for producers in other accounts. */
export function producerAccess(
  scope: Afterword,
  { bus, parameters }: { bus: events.IEventBus; parameters: DeployParameters },
): iam.ManagedPolicy {
  // Producers attach scope policy to put interactions on the bus, and nothing else: not
  // Afterword's own events, nor anything under its source.
  const producerPolicy = new iam.ManagedPolicy(scope, 'ProducerPolicy', {
    description: 'Lets a producer put Interaction Completed events on the Afterword bus',
    statements: [
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        conditions: {
          'ForAllValues:StringEquals': { 'events:detail-type': [INTERACTION_COMPLETED] },
          'ForAllValues:StringNotEquals': { 'events:source': [AFTERWORD_SOURCE] },
          Null: { 'events:source': 'false', 'events:detail-type': 'false' },
        },
      }),
    ],
  });

  // Producers in other accounts, by the bus's own policy: the same promise as the producer
  // policy (Interaction Completed only, never under Afterword's source).
  if (parameters.producerAccounts.length) {
    const added = (bus as Partial<events.EventBus>).addToResourcePolicy?.(
      new iam.PolicyStatement({
        sid: 'ProducerAccounts',
        principals: parameters.producerAccounts.map((account) => new iam.AccountPrincipal(account)),
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        conditions: {
          'ForAllValues:StringEquals': { 'events:detail-type': [INTERACTION_COMPLETED] },
          'ForAllValues:StringNotEquals': { 'events:source': [AFTERWORD_SOURCE] },
          Null: { 'events:source': 'false', 'events:detail-type': 'false' },
        },
      }),
    );
    if (!added?.statementAdded) {
      Annotations.of(scope).addError(
        'producerAccounts adds to the bus policy, and the bus given to Afterword is not one of scope app: grant those accounts events:PutEvents of Interaction Completed in your bus policy instead, and leave producerAccounts empty',
      );
    }
  }

  return producerPolicy;
}

/** Afterword's own events, archived in a log group for `afterword events --stack`. */
export function archiveEvents(
  scope: Afterword,
  { bus, deadLetters }: { bus: events.IEventBus; deadLetters: DeadLetterQueues },
): logs.LogGroup {
  // Afterword's own events, archived for reading back (`afterword events --stack`).
  const eventArchive = new logs.LogGroup(scope, 'EventArchive', {
    logGroupName: `/aws/events/${Stack.of(scope).stackName}/afterword-events`,
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const archiveRule = new events.Rule(scope, 'AfterwordEventsArchiveRule', {
    description: "Afterword's own events (Survey Answered, Follow-up…) to the archive log group",
    eventBus: bus,
    eventPattern: { source: [AFTERWORD_SOURCE] },
    targets: [
      {
        bind: () => ({
          arn: Stack.of(scope).formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: eventArchive.logGroupName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
          deadLetterConfig: { arn: deadLetters.eventArchive.queueArn },
          retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 },
        }),
      },
    ],
  });
  // EventBridge may write to the log group, and dead-letter to the queue, for scope rule only
  // (resource policies of our own: CDK's log-group target would deploy a custom-resource
  // function just to set the first).
  const fromArchiveRule = { ArnEquals: { 'aws:SourceArn': archiveRule.ruleArn } };
  new logs.CfnResourcePolicy(scope, 'EventArchiveWriters', {
    policyName: `${Stack.of(scope).stackName}-afterword-event-archive`,
    policyDocument: Stack.of(scope).toJsonString(
      new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('events.amazonaws.com')],
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [eventArchive.logGroupArn],
            conditions: fromArchiveRule,
          }),
        ],
      }).toJSON(),
    ),
  });
  deadLetters.eventArchive.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [deadLetters.eventArchive.queueArn],
      conditions: fromArchiveRule,
    }),
  );
  return eventArchive;
}

/** The shared rule pattern, in CDK's field names (`detail-type` → `detailType`). */
function toEventPattern(pattern: Record<string, unknown>): events.EventPattern {
  const names: Record<string, keyof events.EventPattern> = { 'detail-type': 'detailType' };
  return Object.fromEntries(
    Object.entries(pattern).map(([field, value]) => [names[field] ?? field, value]),
  );
}
