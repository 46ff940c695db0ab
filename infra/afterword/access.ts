/**
 * Who may do what with a deployed stack from the CLI: the managed policies of the people who
 * use it, each allowing exactly the calls its commands make (the permission contract holds them).
 */
import { CfnOutput, Fn, Stack } from 'aws-cdk-lib';
import type { DeployedFunctionName } from '../../lib/adapters/function-scope.js';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import { INTERACTION_COMPLETED } from '../../lib/contracts/interaction.js';
import { CLI_SOURCE, CUSTOMER_ERASURE_REQUESTED } from '../../lib/contracts/erasure.js';
import { INDEX } from '../../lib/store/table.js';
import type { Afterword, DeadLetterQueues, Functions } from '../afterword.js';

export function accessPolicies(
  scope: Afterword,
  {
    table,
    bus,
    deadLetters,
    functions,
    signingSecret,
    eventArchive,
  }: {
    table: dynamodb.TableV2;
    bus: events.IEventBus;
    deadLetters: DeadLetterQueues;
    functions: Functions;
    signingSecret: secrets.Secret;
    eventArchive: logs.LogGroup;
  },
) {
  // What `afterword report | customer | digest | events | dead-letters --stack` reads, and
  // nothing else: a CX analyst's (or a platform engineer's) policy.
  const readableQueues = Object.entries(deadLetters).filter(
    ([name]) => name !== 'alarmNotifications',
  );
  const analystPolicy = new iam.ManagedPolicy(scope, 'AnalystPolicy', {
    description: `Read-only: the Afterword stack ${Stack.of(scope).stackName}'s metrics, timelines, events and dead letters`,
    statements: [
      new iam.PolicyStatement({
        actions: ['cloudformation:DescribeStacks'],
        resources: [Stack.of(scope).stackId],
      }),
      new iam.PolicyStatement({
        // rollup rows (Query), a customer's invitations (their index, then BatchGetItem), their
        // contact item and cases (GetItem: an access request)
        actions: ['dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:GetItem'],
        resources: [table.tableArn],
      }),
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${INDEX.byCustomer.name}`],
      }),
      new iam.PolicyStatement({
        actions: ['logs:FilterLogEvents'],
        resources: [eventArchive.logGroupArn],
      }),
      new iam.PolicyStatement({
        actions: ['sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
        resources: readableQueues.map(([, queue]) => queue.queueArn),
      }),
    ],
  });

  // What `afterword forget --stack` needs, and nothing else: a privacy officer's policy. It
  // may request an erasure and read erasure records back; reading what is stored about a
  // customer (`afterword customer ID --format json --stack`) is the analyst policy's.
  const privacyPolicy = new iam.ManagedPolicy(scope, 'PrivacyPolicy', {
    description: `Request customer erasures on the Afterword stack ${Stack.of(scope).stackName} and read their records`,
    statements: [
      new iam.PolicyStatement({
        actions: ['cloudformation:DescribeStacks'],
        resources: [Stack.of(scope).stackId],
      }),
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        // the CLI's source only: the rule ignores Afterword's own, and so would the request
        conditions: {
          'ForAllValues:StringEquals': {
            'events:detail-type': [CUSTOMER_ERASURE_REQUESTED],
            'events:source': [CLI_SOURCE],
          },
          Null: { 'events:detail-type': 'false', 'events:source': 'false' },
        },
      }),
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ERASURE#*'] } },
      }),
    ],
  });

  // What a platform engineer's `afterword dead-letters --replay --stack`, `afterword smoke
  // --stack` and `afterword migrate-storage --stack` need, and nothing else: an operator's policy.
  // Replaying re-invokes the function a dead letter came from and deletes the message; the smoke
  // test puts one interaction (under the CLI's source), reads its invitation back and signs its
  // survey link; the migration reads the outbox index (keys only: no customer data) and moves
  // invitations' entries.
  // The counting's dead letters are pointers into the table's stream (shard and sequence range),
  // not events a function can be invoked with again: they are not replayed.
  const replayable = (Object.keys(deadLetters) as (keyof typeof deadLetters)[]).filter(
    (name): name is keyof typeof deadLetters & DeployedFunctionName =>
      name in functions && name !== 'count',
  );
  const operatorPolicy = new iam.ManagedPolicy(scope, 'OperatorPolicy', {
    description: `Replay the dead letters of the Afterword stack ${Stack.of(scope).stackName}, smoke-test it, migrate its storage`,
    statements: [
      new iam.PolicyStatement({
        actions: ['cloudformation:DescribeStacks'],
        resources: [Stack.of(scope).stackId],
      }),
      new iam.PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
        resources: replayable.map((name) => deadLetters[name].queueArn),
      }),
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: replayable.map((name) => functions[name].function.functionArn),
      }),
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        conditions: {
          'ForAllValues:StringEquals': {
            'events:detail-type': [INTERACTION_COMPLETED],
            'events:source': [CLI_SOURCE],
          },
          Null: { 'events:detail-type': 'false', 'events:source': 'false' },
        },
      }),
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['INV#*'] } },
      }),
      // the counters' coverage, which the migration records once it has marked the older
      // invitations, and the stream's state, checked before it marks any
      new iam.PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['COUNTERS'] } },
      }),
      new iam.PolicyStatement({ actions: ['dynamodb:DescribeTable'], resources: [table.tableArn] }),
      // the outbox (keys only) and the invitations by day (the rollup's attributes: no customer
      // data), for the migration
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [INDEX.outbox.name, INDEX.byDay.name].map(
          (index) => `${table.tableArn}/index/${index}`,
        ),
      }),
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [signingSecret.secretArn],
      }),
    ],
  });
  new CfnOutput(scope, 'OperatorPolicyArn', { value: operatorPolicy.managedPolicyArn });
  new CfnOutput(scope, 'ReplayTargets', {
    description: 'queue=function ARN,… (afterword dead-letters --replay --stack)',
    value: Fn.join(
      ',',
      replayable.map((name) => `${name}=${functions[name].function.functionArn}`),
    ),
  });
  new CfnOutput(scope, 'LinkSigningSecretArn', { value: signingSecret.secretArn });

  return { analystPolicy, privacyPolicy, operatorPolicy, readableQueues };
}
