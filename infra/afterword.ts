/**
 * Afterword as one construct: the whole system, to put in a stack of the platform engineer's own
 * app (AfterwordStack is the thin stack around it that `cdk deploy` of this repo makes). Event bus
 * (its own, or the app's) and rules, one function per handler, the table, schedules, the survey
 * HTTPS endpoint and its front door, SES configuration set and feedback, the link-signing and
 * consent secrets, dead letters and alarms on every async path, a dashboard.
 *
 * One per stack: names of the bus, log groups, policies and the dashboard derive from the stack's.
 */
import {
  Annotations,
  ArnFormat,
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  TimeZone,
  Token,
} from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { EDGE_RULE_NAMES, EdgeProtection } from './edge.js';
import type { DeployedFunctionName } from '../lib/adapters/function-scope.js';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMESPACE } from '../lib/adapters/metrics.js';
import { exampleAddresses } from '../lib/config/example-addresses.js';
import { configHash, loadConfig } from '../lib/config/load.js';
import type { AfterwordConfig } from '../lib/config/schema.js';
import { EventSchemas } from './event-schemas.js';
import { INTERACTION_COMPLETED } from '../lib/contracts/interaction.js';
import { RULES, type RuleDefinition } from '../lib/contracts/rules.js';
import { CLI_SOURCE, CUSTOMER_ERASURE_REQUESTED } from '../lib/contracts/erasure.js';
import {
  AFTERWORD_SOURCE,
  ANSWER_DETAIL_TYPES,
  FOLLOW_UP_DETAIL_TYPES,
  ERASURE_DETAIL_TYPES,
} from '../lib/contracts/survey-events.js';
import { INDEX, KEY, ROLLUP_ATTRIBUTES, TTL_ATTRIBUTE } from '../lib/store/table.js';
import { AfterwordFunction } from './afterword-function.js';
import type { DeployParameters } from './parameters.js';
import { createHash } from 'node:crypto';
import { cronExpression } from '../lib/domain/tracking.js';

/** The unsubscribe route's key: its own throttle on the survey API's stage. */
export const UNSUBSCRIBE_ROUTE_KEY = 'ANY /u/{token}';

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

export class Afterword extends Construct {
  readonly config: AfterwordConfig;
  readonly functions: Record<DeployedFunctionName, AfterwordFunction>;
  /** The dashboard's sign-in, when the stack runs it (no external issuer given). */
  readonly userPool?: cognito.UserPool;
  readonly sessionSecret: secrets.Secret;
  readonly schedules: Record<'dispatch' | 'rollup' | 'followUpSweep', scheduler.Schedule>;
  /** One schedule per tracking or periodic program, by touchpoint. */
  readonly programSchedules: Record<string, scheduler.Schedule>;
  /** The role EventBridge Scheduler assumes to invoke the scheduled functions. */
  readonly schedulerRole: iam.Role;
  readonly deadLetterQueues: Record<
    | 'intake'
    | 'dispatch'
    | 'rollup'
    | 'feedback'
    | 'follow-up'
    | 'launch'
    | 'erasure'
    | 'eventArchive'
    | 'alarmNotifications',
    sqs.Queue
  >;
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

    const table = (this.table = this.createTable());
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
      intake: this.deadLetterQueue('IntakeDeadLetters'),
      dispatch: this.deadLetterQueue('DispatchDeadLetters'),
      rollup: this.deadLetterQueue('RollupDeadLetters'),
      feedback: this.deadLetterQueue('FeedbackDeadLetters'),
      'follow-up': this.deadLetterQueue('FollowUpDeadLetters'),
      launch: this.deadLetterQueue('LaunchDeadLetters'),
      erasure: this.deadLetterQueue('ErasureDeadLetters'),
      eventArchive: this.deadLetterQueue('EventArchiveDeadLetters'),
      alarmNotifications: this.deadLetterQueue('AlarmNotificationDeadLetters'),
    });
    const common = { configPath: parameters.configPath };

    // Functions, each with only the table actions it uses.
    const intake = new AfterwordFunction(this, 'Intake', {
      ...common,
      handler: 'intake',
      description: 'Interaction Completed → a recorded survey decision',
      deadLetterQueue: deadLetters.intake,
      // the decision and the contact claim (PutItem), a skipped customer's profile (UpdateItem),
      // the opt-outs and suppressions of the address and the id (BatchGetItem)
    }).useTable(table, { items: ['GetItem', 'PutItem', 'UpdateItem', 'BatchGetItem'] });
    const dispatch = new AfterwordFunction(this, 'Dispatch', {
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
    const answer = new AfterwordFunction(this, 'Answer', {
      ...common,
      handler: 'answer-http',
      description: 'The survey web app: pages and answers',
      timeout: Duration.seconds(10),
      environment: { EVENT_BUS_NAME: bus.eventBusName },
    }).useTable(table, { items: ['GetItem', 'UpdateItem'] });
    const rollup = new AfterwordFunction(this, 'Rollup', {
      ...common,
      handler: 'rollup',
      description:
        'Nightly: recomputes the recent days of metrics, publishes them, sends the digest',
      timeout: Duration.minutes(10),
      deadLetterQueue: deadLetters.rollup,
    }).useTable(table, {
      // the day indexes and rollup rows (Query), the rollup rows (BatchWriteItem); the digest's
      // follow-up cases (Query) and recovery rate (a customer's timeline: byCustomer, BatchGetItem)
      items: ['Query', 'BatchWriteItem', 'BatchGetItem'],
      queries: [INDEX.byDay.name, INDEX.answersByDay.name, INDEX.byCustomer.name],
    });
    const dashboard = new AfterwordFunction(this, 'DashboardWeb', {
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
    const feedback = new AfterwordFunction(this, 'Feedback', {
      ...common,
      handler: 'feedback',
      description: 'SES delivery, bounce and complaint → invitation status and suppression',
      deadLetterQueue: deadLetters.feedback,
      // the invitation (GetItem), its status and the address's suppression (UpdateItem)
    }).useTable(table, { items: ['GetItem', 'UpdateItem'] });
    const followUp = new AfterwordFunction(this, 'FollowUp', {
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
    const launch = new AfterwordFunction(this, 'Launch', {
      ...common,
      handler: 'launch',
      description:
        'A tracking or periodic program run: draws its sample, schedules the invitations',
      timeout: Duration.minutes(15),
      deadLetterQueue: deadLetters.launch,
    }).useTable(table, {
      // the directory and the previous period's rollups (Query), a suppression, a contact and an
      // earlier invitation (GetItem), the invitations and the contact claims (PutItem), the
      // address's opt-outs and suppressions (BatchGetItem)
      items: ['Query', 'GetItem', 'PutItem', 'BatchGetItem'],
    });
    const erasure = new AfterwordFunction(this, 'Erasure', {
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
    this.functions = {
      intake,
      dispatch,
      answer,
      rollup,
      feedback,
      'follow-up': followUp,
      dashboard,
      launch,
      erasure,
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
        Stack.of(this).formatArn({
          service: 'ses',
          resource: 'identity',
          resourceName: sesIdentity,
        }),
        Stack.of(this).formatArn({
          service: 'ses',
          resource: 'configuration-set',
          resourceName: configurationSet.configurationSetName,
        }),
      ],
      conditions: { StringEquals: { 'ses:FromAddress': this.config.sender } },
    });
    for (const fn of [dispatch, rollup, followUp]) {
      fn.function.addToRolePolicy(sendEmail);
      fn.function.addEnvironment('SES_CONFIGURATION_SET', configurationSet.configurationSetName);
    }
    // The send rate, when the config sets none: GetAccount has no resource-level permissions.
    if (this.config.sending.maxSendRate === undefined) {
      dispatch.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }),
      );
    }

    // Rules: the same patterns the local bus routes by.
    const ruleTargets: Record<RuleDefinition['target'], AfterwordFunction> = {
      intake,
      feedback,
      'follow-up': followUp,
      erasure,
    };
    for (const definition of RULES) {
      new events.Rule(this, `${definition.id}Rule`, {
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

    // Schedules, through one role that may invoke these two functions and nothing else.
    const schedulerRole = (this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    }));
    const dispatchSchedule = new scheduler.Schedule(this, 'DispatchSchedule', {
      description: 'Send due surveys every minute',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
      target: new schedulerTargets.LambdaInvoke(dispatch.function, {
        role: schedulerRole,
        deadLetterQueue: deadLetters.dispatch,
        retryAttempts: 2,
        maxEventAge: Duration.minutes(5),
      }),
    });
    const rollupSchedule = new scheduler.Schedule(this, 'RollupSchedule', {
      description: `Nightly rollup at 02:30 ${this.config.timeZone}`,
      schedule: scheduler.ScheduleExpression.cron({
        minute: '30',
        hour: '2',
        timeZone: TimeZone.of(this.config.timeZone),
      }),
      target: new schedulerTargets.LambdaInvoke(rollup.function, {
        role: schedulerRole,
        deadLetterQueue: deadLetters.rollup,
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
      }),
    });

    const followUpSweep = new scheduler.Schedule(this, 'FollowUpSweepSchedule', {
      description: 'Mark follow-up cases overdue and escalate them, every 5 minutes',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(5)),
      target: new schedulerTargets.LambdaInvoke(followUp.function, {
        role: schedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({ sweep: true }),
        deadLetterQueue: deadLetters['follow-up'],
        retryAttempts: 2,
        maxEventAge: Duration.minutes(10),
      }),
    });

    this.schedules = { dispatch: dispatchSchedule, rollup: rollupSchedule, followUpSweep };

    // Tracking and periodic programs: a schedule each, generated from the config, in its zone.
    this.programSchedules = Object.fromEntries(
      this.config.programs
        .filter((program) => program.kind !== 'event' && program.schedule && program.enabled)
        .map((program) => {
          const schedule = {
            ...program.schedule!,
            timeZone: program.schedule!.timeZone ?? this.config.timeZone,
          };
          const id = `Launch${program.touchpoint.replace(/[^A-Za-z0-9]/g, '')}${createHash('sha256').update(program.touchpoint).digest('hex').slice(0, 6)}`;
          return [
            program.touchpoint,
            new scheduler.Schedule(this, id, {
              description: `${program.kind} program ${program.touchpoint}: ${program.schedule!.frequency} run`,
              schedule: scheduler.ScheduleExpression.expression(
                cronExpression(schedule),
                TimeZone.of(schedule.timeZone),
              ),
              target: new schedulerTargets.LambdaInvoke(launch.function, {
                role: schedulerRole,
                // The time the run was due, not the time an attempt ran: a retry past midnight
                // stays in its period, and draws the same customers.
                input: scheduler.ScheduleTargetInput.fromObject({
                  touchpoint: program.touchpoint,
                  scheduledTime: scheduler.ContextAttribute.scheduledTime,
                }),
                deadLetterQueue: deadLetters.launch,
                retryAttempts: 2,
                maxEventAge: Duration.hours(6),
              }),
            }),
          ];
        }),
    );

    // The survey endpoint: HTTP API with throttling and access logs (no paths: they hold tokens).
    const api = (this.surveyApi = new apigwv2.HttpApi(this, 'SurveyApi', {
      description: 'Afterword survey pages and answers',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('Answer', answer.function),
    }));
    const accessLogs = new logs.LogGroup(this, 'SurveyApiAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new apigwv2.HttpStage(this, 'SurveyApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: parameters.answerRateLimit, burstLimit: parameters.answerBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    // Unsubscribing on a route of its own, so its own throttle: a flood of the survey routes (the
    // $default route's budget) cannot starve one-click unsubscribes, which mailbox providers
    // require of bulk senders.
    const [unsubscribeRoute] = api.addRoutes({
      path: '/u/{token}',
      methods: [apigwv2.HttpMethod.ANY],
      integration: new HttpLambdaIntegration('Unsubscribe', answer.function),
    });
    const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.routeSettings = {
      // a JSON map in CloudFormation's own spelling (CDK passes it through as is)
      [UNSUBSCRIBE_ROUTE_KEY]: {
        ThrottlingRateLimit: parameters.answerRateLimit,
        ThrottlingBurstLimit: parameters.answerBurstLimit,
      },
    };
    cfnStage.addDependency(unsubscribeRoute!.node.defaultChild as apigwv2.CfnRoute);
    let surveyUrl = api.apiEndpoint;
    if (parameters.edgeProtection) {
      surveyUrl = this.frontDoor(api, parameters, props.edgeWebAclParameter);
    } else if (parameters.surveyDomain && parameters.surveyCertificateArn) {
      const domain = new apigwv2.DomainName(this, 'SurveyDomain', {
        domainName: parameters.surveyDomain,
        certificate: acm.Certificate.fromCertificateArn(
          this,
          'SurveyCertificate',
          parameters.surveyCertificateArn,
        ),
      });
      new apigwv2.ApiMapping(this, 'SurveyDomainMapping', { api, domainName: domain, stage });
      surveyUrl = `https://${parameters.surveyDomain}`;
      new CfnOutput(this, 'SurveyDomainTarget', {
        description: 'Point a CNAME (or alias) for the survey domain here',
        value: domain.regionalDomainName,
      });
    }
    for (const fn of [dispatch, answer, dashboard, followUp]) {
      fn.function.addEnvironment('PUBLIC_BASE_URL', surveyUrl);
    }

    // The dashboard: its own function on the survey API's /dashboard routes, behind sign-in.
    const dashboardIntegration = new HttpLambdaIntegration('Dashboard', dashboard.function);
    for (const path of ['/dashboard', '/dashboard/{proxy+}']) {
      api.addRoutes({ path, methods: [apigwv2.HttpMethod.ANY], integration: dashboardIntegration });
    }
    const dashboardUrl = `${surveyUrl}/dashboard`;
    // The digest's "Open the dashboard" link.
    rollup.function.addEnvironment('DASHBOARD_URL', dashboardUrl);
    this.sessionSecret = new secrets.Secret(this, 'DashboardSessionSecret', {
      description:
        'Afterword dashboard cookie keys: {"activeKeyId":"k1","k1":"…"}; add a key and switch activeKeyId to rotate.',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ activeKeyId: 'k1' }),
        generateStringKey: 'k1',
        passwordLength: 64,
        excludePunctuation: true,
      },
    });
    dashboard.useSecret(this.sessionSecret.secretArn, 'DASHBOARD_SESSION_SECRET_ARN');
    const signIn = parameters.oidcIssuer
      ? {
          pool: undefined,
          issuer: parameters.oidcIssuer,
          clientId: parameters.oidcClientId!,
          groupsClaim: parameters.oidcGroupsClaim,
          logoutUrl: parameters.oidcLogoutUrl,
        }
      : this.cognitoSignIn(parameters, dashboardUrl);
    this.userPool = signIn.pool;
    dashboard.function.addEnvironment('OIDC_ISSUER', signIn.issuer);
    dashboard.function.addEnvironment('OIDC_CLIENT_ID', signIn.clientId);
    dashboard.function.addEnvironment('OIDC_GROUPS_CLAIM', signIn.groupsClaim);
    if (signIn.logoutUrl) dashboard.function.addEnvironment('OIDC_LOGOUT_URL', signIn.logoutUrl);
    if (parameters.oidcClientSecretArn) {
      dashboard.useSecret(parameters.oidcClientSecretArn, 'OIDC_CLIENT_SECRET_ARN');
    }

    // Producers attach this policy to put interactions on the bus, and nothing else: not
    // Afterword's own events, nor anything under its source.
    const producerPolicy = (this.producerPolicy = new iam.ManagedPolicy(this, 'ProducerPolicy', {
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
    }));

    // Producers in other accounts, by the bus's own policy: the same promise as the producer
    // policy (Interaction Completed only, never under Afterword's source).
    if (parameters.producerAccounts.length) {
      const added = (bus as Partial<events.EventBus>).addToResourcePolicy?.(
        new iam.PolicyStatement({
          sid: 'ProducerAccounts',
          principals: parameters.producerAccounts.map(
            (account) => new iam.AccountPrincipal(account),
          ),
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
        Annotations.of(this).addError(
          'producerAccounts adds to the bus policy, and the bus given to Afterword is not one of this app: grant those accounts events:PutEvents of Interaction Completed in your bus policy instead, and leave producerAccounts empty',
        );
      }
    }

    // Afterword's own events, archived for reading back (`afterword events --stack`).
    const eventArchive = (this.eventArchive = new logs.LogGroup(this, 'EventArchive', {
      logGroupName: `/aws/events/${Stack.of(this).stackName}/afterword-events`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    }));
    const archiveRule = new events.Rule(this, 'AfterwordEventsArchiveRule', {
      description: "Afterword's own events (Survey Answered, Follow-up…) to the archive log group",
      eventBus: bus,
      eventPattern: { source: [AFTERWORD_SOURCE] },
      targets: [
        {
          bind: () => ({
            arn: Stack.of(this).formatArn({
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
    // EventBridge may write to the log group, and dead-letter to the queue, for this rule only
    // (resource policies of our own: CDK's log-group target would deploy a custom-resource
    // function just to set the first).
    const fromArchiveRule = { ArnEquals: { 'aws:SourceArn': archiveRule.ruleArn } };
    new logs.CfnResourcePolicy(this, 'EventArchiveWriters', {
      policyName: `${Stack.of(this).stackName}-afterword-event-archive`,
      policyDocument: Stack.of(this).toJsonString(
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

    // What `afterword report | customer | digest | events | dead-letters --stack` reads, and
    // nothing else: a CX analyst's (or a platform engineer's) policy.
    const readableQueues = Object.entries(deadLetters).filter(
      ([name]) => name !== 'alarmNotifications',
    );
    this.analystPolicy = new iam.ManagedPolicy(this, 'AnalystPolicy', {
      description: `Read-only: the Afterword stack ${Stack.of(this).stackName}'s metrics, timelines, events and dead letters`,
      statements: [
        new iam.PolicyStatement({
          actions: ['cloudformation:DescribeStacks'],
          resources: [Stack.of(this).stackId],
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
    this.privacyPolicy = new iam.ManagedPolicy(this, 'PrivacyPolicy', {
      description: `Request customer erasures on the Afterword stack ${Stack.of(this).stackName} and read their records`,
      statements: [
        new iam.PolicyStatement({
          actions: ['cloudformation:DescribeStacks'],
          resources: [Stack.of(this).stackId],
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

    // What a platform engineer's `afterword dead-letters --replay --stack` and `afterword smoke
    // --stack` need, and nothing else: an operator's policy. Replaying re-invokes the function a
    // dead letter came from and deletes the message; the smoke test puts one interaction (under
    // the CLI's source), reads its invitation back and signs its survey link.
    const replayable = (Object.keys(deadLetters) as (keyof typeof deadLetters)[]).filter(
      (name): name is keyof typeof deadLetters & DeployedFunctionName => name in this.functions,
    );
    this.operatorPolicy = new iam.ManagedPolicy(this, 'OperatorPolicy', {
      description: `Replay the dead letters of the Afterword stack ${Stack.of(this).stackName}, and smoke-test it`,
      statements: [
        new iam.PolicyStatement({
          actions: ['cloudformation:DescribeStacks'],
          resources: [Stack.of(this).stackId],
        }),
        new iam.PolicyStatement({
          actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
          resources: replayable.map((name) => deadLetters[name].queueArn),
        }),
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: replayable.map((name) => this.functions[name].function.functionArn),
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
          actions: ['dynamodb:GetItem'],
          resources: [table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['INV#*'] } },
        }),
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [signingSecret.secretArn],
        }),
      ],
    });
    new CfnOutput(this, 'OperatorPolicyArn', { value: this.operatorPolicy.managedPolicyArn });
    new CfnOutput(this, 'ReplayTargets', {
      description: 'queue=function ARN,… (afterword dead-letters --replay --stack)',
      value: Fn.join(
        ',',
        replayable.map((name) => `${name}=${this.functions[name].function.functionArn}`),
      ),
    });
    new CfnOutput(this, 'LinkSigningSecretArn', { value: signingSecret.secretArn });

    ({
      bucket: this.exportBucket,
      accessLogs: this.exportAccessLogs,
      biReaderPolicy: this.biReaderPolicy,
    } = this.exports(rollup));
    this.alarmsAndDashboard(parameters, { ...this.functions }, deadLetters, api);

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

  /**
   * The rollup rows for BI tools: the nightly rollup writes each recomputed day as JSON lines to
   * an encrypted, TLS-only, private bucket (`rollups/day=YYYY-MM-DD/rollup.jsonl`), described by a
   * Glue table with partition projection, so Athena, QuickSight or any tool reading the Glue
   * catalog queries it with no crawler and no partition loading.
   */
  /**
   * CloudFront before the survey API, with the web ACL (a per-client limit, AWS managed
   * protections); nothing cached (every page is per link), every viewer header but Host passed on.
   * No access logs: CloudFront's and WAF's would keep request paths, and the paths hold link tokens.
   * The API's own URL stays reachable, limited by its stage throttle (README).
   */
  private frontDoor(
    api: apigwv2.HttpApi,
    parameters: DeployParameters,
    edgeParameter: string | undefined,
  ): string {
    let webAclArn: string;
    if (edgeParameter) {
      // Read across regions at deploy time: the edge stack, in us-east-1, deploys first.
      const parameterArn = `arn:${Stack.of(this).partition}:ssm:us-east-1:${Stack.of(this).account}:parameter${edgeParameter}`;
      this.edgeReader = new cr.AwsCustomResource(this, 'EdgeWebAclArn', {
        onUpdate: {
          service: 'SSM',
          action: 'getParameter',
          parameters: { Name: edgeParameter },
          region: 'us-east-1',
          // Read again whenever the edge's settings change (and so, perhaps, its ACL): a
          // physical id that never changed would leave the distribution on an old ACL.
          physicalResourceId: cr.PhysicalResourceId.of(
            `${edgeParameter}#${createHash('sha256')
              .update(
                JSON.stringify({ rateLimit: parameters.edgeRateLimit, rules: EDGE_RULE_NAMES }),
              )
              .digest('hex')
              .slice(0, 12)}`,
          ),
        },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [parameterArn] }),
        installLatestAwsSdk: false,
      });
      webAclArn = this.edgeReader.getResponseField('Parameter.Value');
    } else {
      if (!Token.isUnresolved(Stack.of(this).region) && Stack.of(this).region !== 'us-east-1') {
        Annotations.of(this).addError(
          `edgeProtection needs a web ACL in us-east-1 (CloudFront takes them from there only): deploy with the Afterword CDK app, which adds the AfterwordEdge stack there, or set -c afterword:edgeProtection=false`,
        );
      } else if (Token.isUnresolved(Stack.of(this).region)) {
        // `cdk deploy` always knows the region (from the profile); a bare offline synth may not.
        Annotations.of(this).addWarningV2(
          'afterword:edge-region-unknown',
          "No region at synth: the front door's web ACL is put in this stack, which then deploys in us-east-1 only. Deploy with the region set (cdk deploy takes it from your profile), or set -c afterword:edgeProtection=false.",
        );
      }
      this.edge = new EdgeProtection(this, 'Edge', { rateLimit: parameters.edgeRateLimit });
      webAclArn = this.edge.webAcl.attrArn;
    }
    const custom = parameters.surveyDomain && parameters.surveyCertificateArn;
    this.distribution = new cloudfront.Distribution(this, 'FrontDoor', {
      comment: 'Afterword survey endpoint',
      defaultBehavior: {
        origin: new origins.HttpOrigin(Fn.select(2, Fn.split('/', api.apiEndpoint)), {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      webAclId: webAclArn,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      ...(custom
        ? {
            domainNames: [parameters.surveyDomain!],
            certificate: acm.Certificate.fromCertificateArn(
              this,
              'SurveyCertificate',
              parameters.surveyCertificateArn!,
            ),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    if (custom) {
      new CfnOutput(this, 'SurveyDomainTarget', {
        description: 'Point a CNAME (or alias) for the survey domain here',
        value: this.distribution.distributionDomainName,
      });
      return `https://${parameters.surveyDomain}`;
    }
    return `https://${this.distribution.distributionDomainName}`;
  }

  private exports(rollup: AfterwordFunction) {
    const accessLogs = new s3.Bucket(this, 'ExportAccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bucket = new s3.Bucket(this, 'ExportBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'exports/',
      lifecycleRules: [
        // a day is rewritten every night it is recomputed: old versions are kept a while only
        { noncurrentVersionExpiration: Duration.days(30) },
        {
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(90) },
          ],
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    rollup.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects('rollups/*')],
      }),
    );
    rollup.function.addEnvironment('EXPORT_BUCKET', bucket.bucketName);

    const databaseName = `afterword_${Stack.of(this)
      .stackName.toLowerCase()
      .replace(/[^a-z0-9]/g, '_')}`;
    const database = new glue.CfnDatabase(this, 'ExportDatabase', {
      catalogId: Stack.of(this).account,
      databaseInput: {
        name: databaseName,
        description:
          'Afterword rollup rows (one per day × touchpoint × channel × segment × journey step)',
      },
    });
    const string = (name: string) => ({ name, type: 'string' });
    const count = (name: string) => ({ name, type: 'bigint' });
    const table = new glue.CfnTable(this, 'ExportTable', {
      catalogId: Stack.of(this).account,
      databaseName,
      tableInput: {
        name: 'rollups',
        tableType: 'EXTERNAL_TABLE',
        description:
          'The nightly rollup rows, as `afterword report` reads them (README: report fields)',
        parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          'projection.day.type': 'date',
          'projection.day.format': 'yyyy-MM-dd',
          'projection.day.range': '2024-01-01,NOW',
          'projection.day.interval': '1',
          'projection.day.interval.unit': 'DAYS',
          'storage.location.template': `s3://${bucket.bucketName}/rollups/day=\${day}/`,
        },
        partitionKeys: [string('day')],
        storageDescriptor: {
          location: `s3://${bucket.bucketName}/rollups/`,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: { 'ignore.malformed.json': 'false' },
          },
          columns: [
            ...['touchpoint', 'channel', 'segment', 'journeyId', 'journeyStep', 'metric'].map(
              string,
            ),
            count('invited'),
            { name: 'skipped', type: 'map<string,bigint>' },
            ...[
              'sent',
              'delivered',
              'bounced',
              'complained',
              'failed',
              'unknown',
              'expired',
              'outcomeKnown',
              'answered',
            ].map(count),
            { name: 'scores', type: 'array<bigint>' },
          ],
        },
      },
    });
    table.node.addDependency(database);
    const biReaderPolicy = new iam.ManagedPolicy(this, 'BiReaderPolicy', {
      description: `Read the Afterword stack ${Stack.of(this).stackName}'s rollup exports through Glue (Athena, QuickSight)`,
      statements: [
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [bucket.arnForObjects('rollups/*')],
        }),
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
        new iam.PolicyStatement({
          actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
          resources: [
            Stack.of(this).formatArn({ service: 'glue', resource: 'catalog' }),
            Stack.of(this).formatArn({
              service: 'glue',
              resource: 'database',
              resourceName: databaseName,
            }),
            Stack.of(this).formatArn({
              service: 'glue',
              resource: 'table',
              resourceName: `${databaseName}/rollups`,
            }),
          ],
        }),
      ],
    });
    new CfnOutput(this, 'ExportBucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'ExportGlueTable', { value: `${databaseName}.rollups` });
    new CfnOutput(this, 'BiReaderPolicyArn', { value: biReaderPolicy.managedPolicyArn });
    return { bucket, accessLogs, biReaderPolicy };
  }

  /**
   * The dashboard's sign-in when no external issuer is given: an Amazon Cognito user pool with
   * managed login, no self sign-up (CX leads are invited), a second factor, the two groups, and a
   * public app client (authorization code with PKCE: nothing secret lives in the function).
   */
  private cognitoSignIn(parameters: DeployParameters, dashboardUrl: string) {
    const pool = new cognito.UserPool(this, 'DashboardUsers', {
      userPoolName: `${Stack.of(this).stackName}-dashboard`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      mfa: parameters.dashboardMfa === 'required' ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      userInvitation: {
        emailSubject: `${this.config.brand}: your customer feedback dashboard`,
        emailBody: `You are invited to the ${this.config.brand} customer feedback dashboard: ${dashboardUrl}. Sign in as {username} with the temporary password {####}.`,
      },
    });
    for (const group of ['cx-lead', 'owner']) {
      new cognito.CfnUserPoolGroup(this, `DashboardGroup-${group}`, {
        userPoolId: pool.userPoolId,
        groupName: group,
        description:
          group === 'cx-lead' ? 'Sees every touchpoint' : 'Sees the touchpoints they own',
      });
    }
    const domain = pool.addDomain('DashboardSignIn', {
      cognitoDomain: {
        domainPrefix: parameters.authDomainPrefix ?? `afterword-${Stack.of(this).account}`,
      },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    const client = pool.addClient('Dashboard', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [`${dashboardUrl}/auth/callback`],
        logoutUrls: [`${dashboardUrl}/auth/signed-out`],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
    });
    new cognito.CfnManagedLoginBranding(this, 'DashboardSignInBranding', {
      userPoolId: pool.userPoolId,
      clientId: client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    return {
      pool,
      issuer: `https://cognito-idp.${Stack.of(this).region}.${Stack.of(this).urlSuffix}/${pool.userPoolId}`,
      clientId: client.userPoolClientId,
      groupsClaim: 'cognito:groups',
      logoutUrl: `${domain.baseUrl()}/logout`,
    };
  }

  /** The CloudWatch dashboard's name, which the digest links to. */
  get dashboardName(): string {
    return `${Stack.of(this).stackName}-afterword`;
  }

  private createTable(): dynamodb.TableV2 {
    const attribute = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    return new dynamodb.TableV2(this, 'Table', {
      partitionKey: attribute(KEY.pk),
      sortKey: attribute(KEY.sk),
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: [
        {
          indexName: INDEX.outbox.name,
          partitionKey: attribute(INDEX.outbox.pk),
          sortKey: attribute(INDEX.outbox.sk),
          projectionType: dynamodb.ProjectionType.KEYS_ONLY,
        },
        {
          indexName: INDEX.byCustomer.name,
          partitionKey: attribute(INDEX.byCustomer.pk),
          sortKey: attribute(INDEX.byCustomer.sk),
          projectionType: dynamodb.ProjectionType.KEYS_ONLY,
        },
        ...[INDEX.byDay, INDEX.answersByDay].map((index) => ({
          indexName: index.name,
          partitionKey: attribute(index.pk),
          sortKey: attribute(index.sk),
          projectionType: dynamodb.ProjectionType.INCLUDE,
          nonKeyAttributes: ROLLUP_ATTRIBUTES,
        })),
      ],
    });
  }

  private deadLetterQueue(id: string): sqs.Queue {
    return new sqs.Queue(this, id, {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
  }

  private alarmsAndDashboard(
    parameters: DeployParameters,
    functions: Record<string, AfterwordFunction>,
    deadLetters: Record<string, sqs.Queue>,
    api: apigwv2.HttpApi,
  ) {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Afterword alarms',
      enforceSSL: true,
    });
    if (parameters.alarmEmail)
      topic.addSubscription(
        new subscriptions.EmailSubscription(parameters.alarmEmail, {
          deadLetterQueue: deadLetters.alarmNotifications,
        }),
      );
    const notify = new cwActions.SnsAction(topic);
    const alarm = (id: string, props: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, id, props);
      created.addAlarmAction(notify);
      return created;
    };
    const alarms: cloudwatch.Alarm[] = [];

    for (const [name, queue] of Object.entries(deadLetters)) {
      alarms.push(
        alarm(`${capitalise(name)}DeadLettersAlarm`, {
          alarmDescription: `Something failed every retry on the ${name} path: see the queue's messages`,
          metric: queue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(5),
            statistic: 'Maximum',
          }),
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    for (const [name, fn] of Object.entries(functions)) {
      alarms.push(
        alarm(`${capitalise(name)}ErrorsAlarm`, {
          alarmDescription: `The ${name} function is failing`,
          metric: fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
          threshold: 3,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    const backlogAge = new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: 'DueBacklogAgeSeconds',
      period: Duration.minutes(5),
      statistic: 'Maximum',
    });
    alarms.push(
      alarm('DispatchBacklogAlarm', {
        alarmDescription:
          'Due surveys have waited over 15 minutes: the dispatcher is stuck or throttled',
        metric: backlogAge,
        threshold: 900,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    // Any of these is worth a look: surveys SES may or may not have sent (at most once gave
    // them up), and events subscribers missed (the answer function handles a failed publish, so
    // its Errors metric never sees it).
    const anyOf = (id: string, metricName: string, alarmDescription: string) =>
      alarm(id, {
        alarmDescription,
        metric: new cloudwatch.Metric({
          namespace: METRIC_NAMESPACE,
          metricName,
          period: Duration.minutes(5),
          statistic: 'Sum',
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    alarms.push(
      anyOf(
        'UnknownSendsAlarm',
        'UnknownSends',
        'Surveys ended unknown: a send was abandoned or failed after it may have reached SES (see the dispatch logs)',
      ),
      anyOf(
        'EventPublishFailuresAlarm',
        'EventPublishFailures',
        'Survey Answered / Follow-up events could not be put on the bus: subscribers miss them',
      ),
      alarm('SurveyApi5xxAlarm', {
        alarmDescription: 'The survey endpoint answers customers with server errors',
        metric: api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    const bounceRate = new cloudwatch.Metric({
      namespace: 'AWS/SES',
      metricName: 'Reputation.BounceRate',
      period: Duration.hours(1),
      statistic: 'Maximum',
    });
    const complaintRate = new cloudwatch.Metric({
      namespace: 'AWS/SES',
      metricName: 'Reputation.ComplaintRate',
      period: Duration.hours(1),
      statistic: 'Maximum',
    });
    alarms.push(
      alarm('SesBounceRateAlarm', {
        alarmDescription: 'SES bounce rate is near the 5 % review threshold',
        metric: bounceRate,
        threshold: 0.04,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      alarm('SesComplaintRateAlarm', {
        alarmDescription: 'SES complaint rate is near the 0.1 % review threshold',
        metric: complaintRate,
        threshold: 0.0008,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    // The headline numbers next to the operational ones: each touchpoint's daily score (the
    // nightly rollup's EMF `Score`) with its target, and its answers.
    const scoreWidgets = this.config.programs.map(
      (program) =>
        new cloudwatch.GraphWidget({
          title: `${program.touchpoint}: ${program.metric.toUpperCase()} by day`,
          left: [
            new cloudwatch.Metric({
              namespace: METRIC_NAMESPACE,
              metricName: 'Score',
              dimensionsMap: { Touchpoint: program.touchpoint, Metric: program.metric },
              period: Duration.days(1),
              statistic: 'Average',
              label: 'score',
            }),
          ],
          right: [
            new cloudwatch.Metric({
              namespace: METRIC_NAMESPACE,
              metricName: 'Responses',
              dimensionsMap: { Touchpoint: program.touchpoint, Metric: program.metric },
              period: Duration.days(1),
              statistic: 'Sum',
              label: 'answers',
            }),
          ],
          leftYAxis: program.metric === 'nps' ? { min: -100, max: 100 } : { min: 0, max: 100 },
          leftAnnotations:
            program.target === undefined ? [] : [{ value: program.target, label: 'target' }],
          width: 8,
        }),
    );
    new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: this.dashboardName,
      widgets: [
        scoreWidgets,
        [
          new cloudwatch.GraphWidget({
            title: 'Invocations',
            left: Object.values(functions).map((fn) =>
              fn.function.metricInvocations({ label: fn.node.id }),
            ),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Errors',
            left: Object.values(functions).map((fn) =>
              fn.function.metricErrors({ label: fn.node.id }),
            ),
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Surveys sent and backlog age (s)',
            left: [
              new cloudwatch.Metric({
                namespace: METRIC_NAMESPACE,
                metricName: 'SurveysSent',
                statistic: 'Sum',
              }),
            ],
            right: [backlogAge],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'SES reputation',
            left: [bounceRate, complaintRate],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Survey endpoint',
            left: [api.metricCount(), api.metricClientError(), api.metricServerError()],
            right: [api.metricLatency()],
            width: 12,
          }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 12 }),
        ],
      ],
    });
  }
}

function capitalise(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The shared rule pattern, in CDK's field names (`detail-type` → `detailType`). */
function toEventPattern(pattern: Record<string, unknown>): events.EventPattern {
  const names: Record<string, keyof events.EventPattern> = { 'detail-type': 'detailType' };
  return Object.fromEntries(
    Object.entries(pattern).map(([field, value]) => [names[field] ?? field, value]),
  );
}
