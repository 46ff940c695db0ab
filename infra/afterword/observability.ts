/**
 * Alarms on every async path and the endpoint, their topic, and the CloudWatch dashboard.
 */
import { Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { METRIC_NAMESPACE } from '../../lib/adapters/metrics.js';
import { AfterwordFunction } from '../afterword-function.js';
import type { DeployParameters } from '../parameters.js';
import type { Afterword } from '../afterword.js';

export function alarmsAndDashboard(
  scope: Afterword,
  parameters: DeployParameters,
  functions: Record<string, AfterwordFunction>,
  deadLetters: Record<string, sqs.Queue>,
  api: apigwv2.HttpApi,
) {
  const topic = new sns.Topic(scope, 'AlarmTopic', {
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
    const created = new cloudwatch.Alarm(scope, id, props);
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
  // The counting's stream records waiting over 30 minutes: it is failing (each batch is tried 10
  // times, then dead-lettered) or falling behind; the stream keeps records only 24 hours.
  if (functions.count) {
    alarms.push(
      alarm('CountIteratorAgeAlarm', {
        alarmDescription:
          "The table stream's records wait over 30 minutes to be counted: the count function is failing or behind",
        metric: functions.count.function.metric('IteratorAge', {
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        threshold: 30 * 60 * 1000,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
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
  const scoreWidgets = scope.config.programs.map(
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
  new cloudwatch.Dashboard(scope, 'Dashboard', {
    dashboardName: scope.dashboardName,
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

function capitalise(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
