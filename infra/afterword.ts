/**
 * Afterword as one construct: the whole system, to put in a stack of the platform engineer's own
 * app (AfterwordStack is the thin stack around it that `cdk deploy` of this repo makes). Event bus
 * (its own, or the app's) and rules, one function per handler, the table, schedules, the survey
 * HTTPS endpoint and its front door, SES configuration set and feedback, the link-signing and
 * consent secrets, dead letters and alarms on every async path, a dashboard.
 *
 * One per stack: names of the bus, log groups, policies and the dashboard derive from the stack's.
 */
import { Annotations, CfnOutput, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { EdgeProtection } from './edge.js';
import type { DeployedFunctionName } from '../lib/adapters/function-scope.js';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { exampleAddresses } from '../lib/config/example-addresses.js';
import { configHash, loadConfig } from '../lib/config/load.js';
import type { AfterwordConfig } from '../lib/config/schema.js';
import { EventSchemas } from './event-schemas.js';
import { accessPolicies } from './afterword/access.js';
import { rollupExports } from './afterword/exports.js';
import { defineFunctions } from './afterword/functions.js';
import { archiveEvents, producerAccess, routeEvents } from './afterword/ingest.js';
import { alarmsAndDashboard } from './afterword/observability.js';
import { defineSchedules } from './afterword/schedules.js';
import { surveyWeb } from './afterword/survey-web.js';
import { createTable, deadLetterQueue } from './afterword/state.js';
import { AfterwordFunction } from './afterword-function.js';
import type { DeployParameters } from './parameters.js';

export interface AfterwordProps {
  /**
   * The SSM parameter in us-east-1 holding the front door's web ACL ARN, made by AfterwordEdgeStack
   * when this stack lives in another region (the CDK app does it); in us-east-1 the stack makes its
   * own web ACL.
   */
  edgeWebAclParameter?: string;
  parameters: DeployParameters;
  /**
   * The bus producers put interactions on, and Afterword's own events go to: the app's own (bring
   * your own bus), or, without it, one Afterword makes (`<stack>-bus`). Afterword's rules match
   * Interaction Completed, Customer Erasure Requested and its own source only, so a shared bus's
   * other traffic passes by; the bus's policy is the app's to keep (producerAccounts adds to it
   * only when the bus is a CDK EventBus of this app).
   */
  eventBus?: events.IEventBus;
}

/** The dead-letter queues, one per async path. */
export type DeadLetterQueues = Record<
  | 'intake'
  | 'dispatch'
  | 'rollup'
  | 'feedback'
  | 'follow-up'
  | 'launch'
  | 'erasure'
  | 'count'
  | 'eventArchive'
  | 'alarmNotifications',
  sqs.Queue
>;

/** The stack's functions, by name. */
export type Functions = Record<DeployedFunctionName, AfterwordFunction>;

export class Afterword extends Construct {
  readonly config: AfterwordConfig;
  readonly functions: Functions;
  /** The dashboard's sign-in, when the stack runs it (no external issuer given). */
  readonly userPool?: cognito.UserPool;
  readonly sessionSecret: secrets.Secret;
  readonly schedules: Record<'dispatch' | 'rollup' | 'followUpSweep', scheduler.Schedule>;
  /** One schedule per tracking or periodic program, by touchpoint. */
  readonly programSchedules: Record<string, scheduler.Schedule>;
  /** The role EventBridge Scheduler assumes to invoke the scheduled functions. */
  readonly schedulerRole: iam.Role;
  readonly deadLetterQueues: DeadLetterQueues;
  readonly signingSecret: secrets.Secret;
  /** The consent key (HMAC) of opt-outs and suppressions per address. */
  readonly consentKey: secrets.Secret;
  readonly surveyApi: apigwv2.HttpApi;
  /** The front door (CloudFront), with edgeProtection. */
  distribution?: cloudfront.Distribution;
  /** The front door's web ACL, when this stack makes it (in us-east-1). */
  edge?: EdgeProtection;
  /** Reads the edge stack's web ACL ARN from us-east-1, when the ACL lives there. */
  edgeReader?: cr.AwsCustomResource;
  readonly table: dynamodb.TableV2;
  /** The bus: interactions in, Afterword's events out (the stack's own, or the app's). */
  readonly bus: events.IEventBus;
  /** What producers attach to put interactions on the bus. */
  readonly producerPolicy: iam.ManagedPolicy;
  /** What a CX analyst (or a platform engineer's `afterword … --stack`) needs to read, and no more. */
  readonly analystPolicy: iam.ManagedPolicy;
  /** What a privacy officer's `afterword forget --stack` needs: request erasures, read their records. */
  readonly privacyPolicy: iam.ManagedPolicy;
  /** What a platform engineer's `dead-letters --replay --stack` and `smoke --stack` need. */
  readonly operatorPolicy: iam.ManagedPolicy;
  /** Afterword's own events, kept for `afterword events --stack` (EventBridge keeps none). */
  readonly eventArchive: logs.LogGroup;
  /** The rollup rows for BI tools (JSON lines by day) and the bucket's access logs. */
  readonly exportBucket: s3.Bucket;
  readonly exportAccessLogs: s3.Bucket;
  /** What a BI tool (Athena, QuickSight…) needs to read the exports through the Glue table. */
  readonly biReaderPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: AfterwordProps) {
    super(scope, id);
    const { parameters } = props;
    // Synth fails here, listing every problem by path, if the programs config is invalid.
    this.config = loadConfig(parameters.configPath);
    const placeholders = [
      ...exampleAddresses(this.config),
      ...exampleAddresses({ alarmEmail: parameters.alarmEmail }, 'parameters'),
    ];
    if (placeholders.length > 0) {
      const message = `These addresses are on placeholder domains nobody reads; surveys would go out from, and owners' and leads' mail to, them: ${placeholders
        .map(({ path, address }) => `${path} = ${address}`)
        .join(
          ', ',
        )}. Put your own in the programs config (${parameters.configPath}) and parameters`;
      // An error: a deploy would send owners' case emails and the digest nowhere. A sandbox
      // deploy (and the tests) may say it means it, and gets the warning instead.
      if (parameters.allowPlaceholderAddresses) {
        Annotations.of(this).addWarningV2('afterword:placeholder-addresses', `${message}.`);
      } else {
        Annotations.of(this).addError(
          `${message}, or synthesize a sandbox with -c afterword:allowPlaceholderAddresses=true.`,
        );
      }
    }
    const sesIdentity = parameters.sesIdentity ?? this.config.sender.split('@')[1]!;

    const table = (this.table = createTable(this));
    const bus = (this.bus =
      props.eventBus ??
      new events.EventBus(this, 'Bus', { eventBusName: `${Stack.of(this).stackName}-bus` }));
    const defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    const signingSecret = (this.signingSecret = new secrets.Secret(this, 'LinkSigningSecret', {
      description:
        'Afterword survey-link signing keys: {"activeKeyId":"k1","k1":"…"}; add a key and switch activeKeyId to rotate.',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ activeKeyId: 'k1' }),
        generateStringKey: 'k1',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    }));
    // The key of the keyed hashes that name addresses and erased customers in opt-outs and
    // suppressions. Never rotated and never deleted: a new key would lose every opt-out.
    const consentKey = (this.consentKey = new secrets.Secret(this, 'ConsentKey', {
      description:
        'Afterword consent key: HMAC key of the hashes that name addresses in opt-outs and suppressions. Do not rotate: a new key loses every opt-out.',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    }));
    const configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
    });
    configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(defaultBus),
      events: [
        ses.EmailSendingEvent.DELIVERY,
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
      ],
    });

    const deadLetters = (this.deadLetterQueues = {
      intake: deadLetterQueue(this, 'IntakeDeadLetters'),
      dispatch: deadLetterQueue(this, 'DispatchDeadLetters'),
      rollup: deadLetterQueue(this, 'RollupDeadLetters'),
      feedback: deadLetterQueue(this, 'FeedbackDeadLetters'),
      'follow-up': deadLetterQueue(this, 'FollowUpDeadLetters'),
      launch: deadLetterQueue(this, 'LaunchDeadLetters'),
      erasure: deadLetterQueue(this, 'ErasureDeadLetters'),
      count: deadLetterQueue(this, 'CountDeadLetters'),
      eventArchive: deadLetterQueue(this, 'EventArchiveDeadLetters'),
      alarmNotifications: deadLetterQueue(this, 'AlarmNotificationDeadLetters'),
    });
    const functions = (this.functions = defineFunctions(this, {
      parameters,
      config: this.config,
      table,
      bus,
      deadLetters,
      signingSecret,
      consentKey,
      configurationSet,
      sesIdentity,
    }));
    routeEvents(this, { bus, defaultBus, functions, deadLetters });
    ({
      schedulerRole: this.schedulerRole,
      schedules: this.schedules,
      programSchedules: this.programSchedules,
    } = defineSchedules(this, { config: this.config, functions, deadLetters }));
    const web = surveyWeb(this, {
      parameters,
      functions,
      edgeWebAclParameter: props.edgeWebAclParameter,
    });
    const { api, surveyUrl, dashboardUrl } = web;
    this.surveyApi = api;
    this.sessionSecret = web.sessionSecret;
    this.userPool = web.userPool;
    const producerPolicy = (this.producerPolicy = producerAccess(this, { bus, parameters }));
    const eventArchive = (this.eventArchive = archiveEvents(this, { bus, deadLetters }));
    const policies = accessPolicies(this, {
      table,
      bus,
      deadLetters,
      functions,
      signingSecret,
      eventArchive,
    });
    this.analystPolicy = policies.analystPolicy;
    this.privacyPolicy = policies.privacyPolicy;
    this.operatorPolicy = policies.operatorPolicy;
    const { readableQueues } = policies;

    ({
      bucket: this.exportBucket,
      accessLogs: this.exportAccessLogs,
      biReaderPolicy: this.biReaderPolicy,
    } = rollupExports(this, functions.rollup));
    alarmsAndDashboard(this, parameters, { ...functions }, deadLetters, api);

    const eventSchemas = new EventSchemas(this, 'EventSchemas', {
      registryName: `${Stack.of(this).stackName}-afterword-events`,
    });

    new CfnOutput(this, 'EventBusName', { value: bus.eventBusName });
    new CfnOutput(this, 'EventSchemaRegistry', { value: eventSchemas.registryName });
    new CfnOutput(this, 'EventBusArn', { value: bus.eventBusArn });
    new CfnOutput(this, 'SurveyUrl', { value: surveyUrl });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'ProducerPolicyArn', { value: producerPolicy.managedPolicyArn });
    new CfnOutput(this, 'ConfigurationSetName', { value: configurationSet.configurationSetName });
    new CfnOutput(this, 'DashboardUrl', { value: dashboardUrl });
    new CfnOutput(this, 'AnalystPolicyArn', { value: this.analystPolicy.managedPolicyArn });
    new CfnOutput(this, 'PrivacyPolicyArn', { value: this.privacyPolicy.managedPolicyArn });
    // `launch --stack` checks consent as the launch function does: with this key.
    new CfnOutput(this, 'ConsentKeySecretArn', { value: consentKey.secretArn });
    new CfnOutput(this, 'EventArchiveLogGroup', { value: eventArchive.logGroupName });
    new CfnOutput(this, 'DeadLetterQueueUrls', {
      description: 'name=url,… of the dead-letter queues (afterword dead-letters --stack)',
      value: Fn.join(
        ',',
        readableQueues.map(([name, queue]) => `${name}=${queue.queueUrl}`),
      ),
    });
    new CfnOutput(this, 'ConfigHash', {
      description: 'the deployed programs config (afterword … --stack warns when yours differs)',
      value: configHash(parameters.configPath),
    });
    if (this.userPool) {
      new CfnOutput(this, 'DashboardUserPoolId', { value: this.userPool.userPoolId });
    }
  }

  /** The CloudWatch dashboard's name, which the digest links to. */
  get dashboardName(): string {
    return `${Stack.of(this).stackName}-afterword`;
  }
}
