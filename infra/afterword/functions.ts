/**
 * The functions, one per handler, each granted only what it calls: the table actions it uses,
 * the secrets it reads, the events it may publish, the address it may send from.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { AfterwordConfig } from '../../lib/config/schema.js';
import {
  AFTERWORD_SOURCE,
  ANSWER_DETAIL_TYPES,
  FOLLOW_UP_DETAIL_TYPES,
  ERASURE_DETAIL_TYPES,
} from '../../lib/contracts/survey-events.js';
import { INDEX } from '../../lib/store/table.js';
import { AfterwordFunction } from '../afterword-function.js';
import type { DeployParameters } from '../parameters.js';
import type { Afterword, DeadLetterQueues, Functions } from '../afterword.js';

export interface FunctionsContext {
  parameters: DeployParameters;
  config: AfterwordConfig;
  table: dynamodb.TableV2;
  bus: events.IEventBus;
  deadLetters: DeadLetterQueues;
  signingSecret: secrets.Secret;
  consentKey: secrets.Secret;
  configurationSet: ses.ConfigurationSet;
  sesIdentity: string;
}

export function defineFunctions(scope: Afterword, context: FunctionsContext): Functions {
  const {
    parameters,
    config,
    table,
    bus,
    deadLetters,
    signingSecret,
    consentKey,
    configurationSet,
    sesIdentity,
  } = context;
  const common = { configPath: parameters.configPath };

  // Functions, each with only the table actions it uses.
  const intake = new AfterwordFunction(scope, 'Intake', {
    ...common,
    handler: 'intake',
    description: 'Interaction Completed → a recorded survey decision',
    deadLetterQueue: deadLetters.intake,
    // the decision and the contact claim (PutItem), a skipped customer's profile and the records
    // of an opt-out found on the contact item alone (UpdateItem),
    // the opt-outs and suppressions of the address and the id (BatchGetItem)
  }).useTable(table, { items: ['GetItem', 'PutItem', 'UpdateItem', 'BatchGetItem'] });
  const dispatch = new AfterwordFunction(scope, 'Dispatch', {
    ...common,
    handler: 'dispatch',
    description: 'Sends due surveys through SES, at most once each',
    timeout: Duration.seconds(55),
    deadLetterQueue: deadLetters.dispatch,
    // the address's opt-outs and suppressions (BatchGetItem)
  }).useTable(table, {
    items: ['GetItem', 'UpdateItem', 'BatchGetItem'],
    queries: [INDEX.outbox.name],
  });
  const answer = new AfterwordFunction(scope, 'Answer', {
    ...common,
    handler: 'answer-http',
    description: 'The survey web app: pages and answers',
    timeout: Duration.seconds(10),
    environment: { EVENT_BUS_NAME: bus.eventBusName },
  }).useTable(table, { items: ['GetItem', 'UpdateItem'] });
  const rollup = new AfterwordFunction(scope, 'Rollup', {
    ...common,
    handler: 'rollup',
    description: 'Nightly: recomputes the recent days of metrics, publishes them, sends the digest',
    timeout: Duration.minutes(10),
    deadLetterQueue: deadLetters.rollup,
  }).useTable(table, {
    // the day indexes and rollup rows (Query), the rollup rows (BatchWriteItem); the digest's
    // follow-up cases (Query) and recovery rate (a customer's timeline: byCustomer, BatchGetItem)
    items: ['Query', 'BatchWriteItem', 'BatchGetItem'],
    // (the recompute from the invitations, `fromItems`: both day indexes, the items by BatchGetItem)
    queries: [
      INDEX.byDay.name,
      INDEX.invitationsByDay.name,
      INDEX.answersByDay.name,
      INDEX.byCustomer.name,
    ],
  });
  // The count of items of the first key shapes (store/legacy-shapes.ts): a Scan that returns a
  // count and nothing else, and its record, which no other item shares a partition with.
  rollup.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:Scan'],
      resources: [table.tableArn],
      conditions: { StringEquals: { 'dynamodb:Select': 'COUNT' } },
    }),
  );
  rollup.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['STORAGE'] } },
    }),
  );
  const dashboard = new AfterwordFunction(scope, 'DashboardWeb', {
    ...common,
    handler: 'dashboard-http',
    description: 'The CX dashboard behind sign-in',
    timeout: Duration.seconds(15),
  }).useTable(table, {
    // rollup rows and cases (Query), comments and a case (GetItem), a customer's invitations
    // (BatchGetItem), the access log (PutItem), an owner moving a case (UpdateItem)
    items: ['Query', 'GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem'],
    queries: [INDEX.answersByDay.name, INDEX.byCustomer.name],
  });
  const feedback = new AfterwordFunction(scope, 'Feedback', {
    ...common,
    handler: 'feedback',
    description: 'SES delivery, bounce and complaint → invitation status and suppression',
    deadLetterQueue: deadLetters.feedback,
    // the invitation (GetItem), its status and the address's suppression (UpdateItem)
  }).useTable(table, { items: ['GetItem', 'UpdateItem'] });
  const followUp = new AfterwordFunction(scope, 'FollowUp', {
    ...common,
    handler: 'follow-up',
    description: 'Low answers → cases for their owners (email), overdue and escalation sweeps',
    timeout: Duration.seconds(60),
    deadLetterQueue: deadLetters['follow-up'],
    environment: { EVENT_BUS_NAME: bus.eventBusName },
  }).useTable(table, {
    // the invitation and the case (GetItem), opening (PutItem) and moving (UpdateItem) a case,
    // the cases past a deadline (Query on the outbox, then BatchGetItem)
    items: ['GetItem', 'PutItem', 'UpdateItem', 'BatchGetItem'],
    queries: [INDEX.outbox.name],
  });
  const launch = new AfterwordFunction(scope, 'Launch', {
    ...common,
    handler: 'launch',
    description: 'A tracking or periodic program run: draws its sample, schedules the invitations',
    timeout: Duration.minutes(15),
    deadLetterQueue: deadLetters.launch,
  }).useTable(table, {
    // the directory and the previous period's rollups (Query), a suppression, a contact and an
    // earlier invitation (GetItem), the invitations and the contact claims (PutItem), the
    // address's opt-outs and suppressions (BatchGetItem)
    items: ['Query', 'GetItem', 'PutItem', 'BatchGetItem'],
  });
  const erasure = new AfterwordFunction(scope, 'Erasure', {
    ...common,
    handler: 'erasure',
    description:
      'Customer Erasure Requested → the customer scrubbed from every item, Customer Erased',
    timeout: Duration.minutes(5),
    deadLetterQueue: deadLetters.erasure,
    environment: { EVENT_BUS_NAME: bus.eventBusName },
  }).useTable(table, {
    // the directory (Query, by address), a customer's invitations (Query on byCustomer), each
    // invitation, case and contact (GetItem), the scrubs, opt-outs kept and the erasure record
    // (UpdateItem); deletes below, of contact items and unkeyed suppressions only
    items: ['Query', 'GetItem', 'UpdateItem'],
    queries: [INDEX.byCustomer.name],
  });
  erasure.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:DeleteItem'],
      resources: [table.tableArn],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CONTACTS#*', 'CUST#*', 'SUPP#*'] },
      },
    }),
  );
  // The rollup's counters, from the table's stream (issue 19). The tumbling window is what names
  // the shard in each event: the counting is exactly once per shard position, so one consumer per
  // shard. Only invitation items reach the function (the counters' own writes are in the stream
  // too). A failing batch is tried until its records are 23 hours old (the stream keeps them 24):
  // a fix deployed within the day loses nothing, and the iterator-age alarm says so after 30
  // minutes. Only then does its pointer (shard and sequence range) go to the dead letters.
  const count = new AfterwordFunction(scope, 'Count', {
    ...common,
    handler: 'count',
    description: "The table's stream → the rollup's counters, each change counted once",
    timeout: Duration.seconds(60),
  }).useTable(table, {});
  // the counters and the shard's position, in one transaction (UpdateItem each), and no other item
  count.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:UpdateItem'],
      resources: [table.tableArn],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['COUNT#*', 'STREAMPOS#*'] },
      },
    }),
  );
  count.function.addEventSource(
    new sources.DynamoEventSource(table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 1000,
      maxBatchingWindow: Duration.seconds(60),
      tumblingWindow: Duration.seconds(60),
      parallelizationFactor: 1,
      maxRecordAge: Duration.hours(23),
      onFailure: new sources.SqsDlq(deadLetters.count),
      filters: [
        lambda.FilterCriteria.filter({
          dynamodb: { Keys: { pk: { S: lambda.FilterRule.beginsWith('INV#') } } },
        }),
      ],
    }),
  );
  const functions: Functions = {
    intake,
    dispatch,
    answer,
    rollup,
    feedback,
    'follow-up': followUp,
    dashboard,
    launch,
    erasure,
    count,
  };

  for (const fn of [dispatch, answer])
    fn.useSecret(signingSecret.secretArn, 'LINK_SIGNING_SECRET_ARN');
  // Who checks or records consent per address: intake and launch decide, dispatch looks again,
  // an unsubscribe opts the address out, a bounce or complaint suppresses it.
  for (const fn of [intake, dispatch, answer, feedback, launch, erasure])
    fn.useSecret(consentKey.secretArn, 'CONSENT_KEY_SECRET_ARN');
  // Each publisher puts Afterword's own events on the stack's bus, only its own detail-types:
  // answers (Answered, Follow-up Requested and Withdrawn), the follow-up sweep (Overdue).
  const publishOnly = (fn: AfterwordFunction, detailTypes: string[]) =>
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        conditions: {
          'ForAllValues:StringEquals': {
            'events:source': [AFTERWORD_SOURCE],
            'events:detail-type': detailTypes,
          },
          Null: { 'events:source': 'false', 'events:detail-type': 'false' },
        },
      }),
    );
  publishOnly(answer, ANSWER_DETAIL_TYPES);
  publishOnly(followUp, FOLLOW_UP_DETAIL_TYPES);
  publishOnly(erasure, ERASURE_DETAIL_TYPES);
  // Surveys (dispatch), the digest (rollup) and owners' case emails (follow-up) are sent from
  // the sender address only.
  const sendEmail = new iam.PolicyStatement({
    actions: ['ses:SendEmail'],
    resources: [
      Stack.of(scope).formatArn({
        service: 'ses',
        resource: 'identity',
        resourceName: sesIdentity,
      }),
      Stack.of(scope).formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: configurationSet.configurationSetName,
      }),
    ],
    conditions: { StringEquals: { 'ses:FromAddress': config.sender } },
  });
  for (const fn of [dispatch, rollup, followUp]) {
    fn.function.addToRolePolicy(sendEmail);
    fn.function.addEnvironment('SES_CONFIGURATION_SET', configurationSet.configurationSetName);
  }
  // The send rate, when the config sets none: GetAccount has no resource-level permissions.
  if (config.sending.maxSendRate === undefined) {
    dispatch.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }),
    );
  }

  return functions;
}
