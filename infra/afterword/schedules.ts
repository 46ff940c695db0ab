/**
 * EventBridge Scheduler: the dispatcher every minute, the nightly rollup, the follow-up sweep,
 * and one schedule per tracking or periodic program, all through one role that may invoke them.
 */
import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type { AfterwordConfig } from '../../lib/config/schema.js';
import { createHash } from 'node:crypto';
import { cronExpression } from '../../lib/domain/tracking.js';
import type { Afterword, DeadLetterQueues, Functions } from '../afterword.js';

export function defineSchedules(
  scope: Afterword,
  {
    config,
    functions,
    deadLetters,
  }: {
    config: AfterwordConfig;
    functions: Functions;
    deadLetters: DeadLetterQueues;
  },
) {
  const { dispatch, rollup, 'follow-up': followUp, launch } = functions;
  // Schedules, through one role that may invoke these two functions and nothing else.
  const schedulerRole = new iam.Role(scope, 'SchedulerRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  });
  const dispatchSchedule = new scheduler.Schedule(scope, 'DispatchSchedule', {
    description: 'Send due surveys every minute',
    schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
    target: new schedulerTargets.LambdaInvoke(dispatch.function, {
      role: schedulerRole,
      deadLetterQueue: deadLetters.dispatch,
      retryAttempts: 2,
      maxEventAge: Duration.minutes(5),
    }),
  });
  const rollupSchedule = new scheduler.Schedule(scope, 'RollupSchedule', {
    description: `Nightly rollup at 02:30 ${config.timeZone}`,
    schedule: scheduler.ScheduleExpression.cron({
      minute: '30',
      hour: '2',
      timeZone: TimeZone.of(config.timeZone),
    }),
    target: new schedulerTargets.LambdaInvoke(rollup.function, {
      role: schedulerRole,
      deadLetterQueue: deadLetters.rollup,
      retryAttempts: 3,
      maxEventAge: Duration.hours(6),
    }),
  });

  const followUpSweep = new scheduler.Schedule(scope, 'FollowUpSweepSchedule', {
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

  const schedules = { dispatch: dispatchSchedule, rollup: rollupSchedule, followUpSweep };

  // Tracking and periodic programs: a schedule each, generated from the config, in its zone.
  const programSchedules = Object.fromEntries(
    config.programs
      .filter((program) => program.kind !== 'event' && program.schedule && program.enabled)
      .map((program) => {
        const schedule = {
          ...program.schedule!,
          timeZone: program.schedule!.timeZone ?? config.timeZone,
        };
        const id = `Launch${program.touchpoint.replace(/[^A-Za-z0-9]/g, '')}${createHash('sha256').update(program.touchpoint).digest('hex').slice(0, 6)}`;
        return [
          program.touchpoint,
          new scheduler.Schedule(scope, id, {
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

  return { schedulerRole, schedules, programSchedules };
}
