/**
 * What Afterword costs on AWS per 1,000 answered surveys, from the counts and durations measured
 * by the survey-life benchmark and AWS's public list prices (us-east-1, on demand, no free tier).
 * The floor is SES's own price: the emails have to be sent whatever orchestrates them.
 */
import type { SurveyLifeResult } from './survey-life.js';
import { STAGES } from './survey-life.js';

/** List prices, USD (aws.amazon.com/<service>/pricing, us-east-1). */
export const PRICES = {
  lambdaRequest: 0.2 / 1e6,
  /** arm64 (Graviton), first 7.5 billion GB-seconds a month. */
  lambdaGbSecondArm: 0.0000133334,
  /** DynamoDB on-demand, Standard table class. */
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  /** EventBridge custom events put on a bus (AWS service events, like SES's, are free). */
  eventBridgeEvent: 1.0 / 1e6,
  schedulerInvocation: 1.0 / 1e6,
  /** API Gateway HTTP API, first 300 million requests a month. */
  httpApiRequest: 1.0 / 1e6,
  /** The front door: CloudFront HTTPS requests (price class 100, no free tier), WAF requests. */
  cloudFrontRequest: 1.0 / 1e6,
  wafRequest: 0.6 / 1e6,
  sesEmail: 0.1 / 1000,
  logsIngestedGb: 0.5,
  /** Monthly: one CloudWatch dashboard, each standard alarm, each secret. */
  dashboardMonth: 3.0,
  alarmMonth: 0.1,
  secretMonth: 0.4,
  /** AWS WAF: each web ACL, and each rule in it (AWS's baseline managed groups cost no more). */
  wafWebAclMonth: 5.0,
  wafRuleMonth: 1.0,
} as const;

/** The front door's web ACL rules: IP reputation, known bad inputs, two rate limits. */
export const EDGE_RULES = 4;

/** What the front door costs a month before any request (edgeProtection, on by default). */
export const EDGE_FIXED_MONTH = PRICES.wafWebAclMonth + EDGE_RULES * PRICES.wafRuleMonth;

/** The stack's alarms (each dead-letter queue and function, backlog age, bounce and complaint rates). */
export const STACK_ALARMS = 27;

/** The stack's Secrets Manager secrets: link signing, dashboard sessions, the consent key. */
export const STACK_SECRETS = 3;

/** The follow-up sweep runs every 5 minutes: four shard queries of the outbox when nothing is due. */
const FOLLOW_UP_SWEEPS_PER_DAY = 288;
const FOLLOW_UP_SWEEP_READ_UNITS = 2;

/** Lambda's START, END and REPORT lines per invocation, in bytes. */
const PLATFORM_LOG_BYTES = 350;
const GB = 2 ** 30;

export interface CostResult {
  /** Variable cost per 1,000 answered surveys, by service, USD. */
  perThousand: Record<string, number>;
  perThousandTotal: number;
  /** SES's price for the same emails: the floor. */
  floorPerThousand: number;
  /** perThousandTotal / floorPerThousand (target ≤ 1.06, issue 19). */
  ratioToFloor: number;
  /**
   * The variable cost with DynamoDB at exactly the unit targets and every other service as
   * measured: whether the cost target could hold even where the unit targets do.
   */
  perThousandAtUnitTargets: number;
  unitTargets: { writeUnits: number; readUnits: number };
  /** The clock's cost (dispatch every minute, nightly rollup, dashboard, alarms, secret), USD a month. */
  fixedPerMonth: number;
  /** The variable cost plus the fixed cost spread over `surveysPerDay`. */
  surveysPerDay: number;
  perThousandAtVolume: number;
}

export function costPerThousand(
  life: SurveyLifeResult,
  options: { surveysPerDay: number; unitTargets: { writeUnits: number; readUnits: number } },
): CostResult {
  const lambda = STAGES.reduce((sum, stage) => {
    const usage = life.perSurvey[stage];
    const gbSeconds = usage.invocations * (usage.memoryMb / 1024) * (usage.meanDurationMs / 1000);
    return sum + usage.invocations * PRICES.lambdaRequest + gbSeconds * PRICES.lambdaGbSecondArm;
  }, 0);
  const invocations = STAGES.reduce((sum, stage) => sum + life.perSurvey[stage].invocations, 0);
  const logBytes =
    STAGES.reduce((sum, stage) => sum + life.perSurvey[stage].logBytes, 0) +
    invocations * PLATFORM_LOG_BYTES;
  const perSurvey = {
    ses: life.emails * PRICES.sesEmail,
    lambda,
    dynamodb:
      life.writeUnitsPerSurvey * PRICES.dynamoWriteUnit +
      life.readUnitsPerSurvey * PRICES.dynamoReadUnit,
    // The Interaction Completed event itself, and the events Afterword publishes.
    eventbridge: (1 + life.eventsPublished) * PRICES.eventBridgeEvent,
    apiGateway: life.httpRequests * PRICES.httpApiRequest,
    // every survey request passes the front door: CloudFront, then WAF
    edge: life.httpRequests * (PRICES.cloudFrontRequest + PRICES.wafRequest),
    logs: (logBytes / GB) * PRICES.logsIngestedGb,
  };
  const perThousand = Object.fromEntries(
    Object.entries(perSurvey).map(([service, usd]) => [service, usd * 1000]),
  );
  const perThousandTotal = Object.values(perThousand).reduce((sum, usd) => sum + usd, 0);
  const floorPerThousand = life.emails * PRICES.sesEmail * 1000;
  const { unitTargets } = options;
  const perThousandAtUnitTargets =
    perThousandTotal -
    perThousand.dynamodb! +
    (unitTargets.writeUnits * PRICES.dynamoWriteUnit +
      unitTargets.readUnits * PRICES.dynamoReadUnit) *
      1000;

  const day = life.perDay;
  const dispatchMemoryGb = life.perSurvey.dispatch.memoryMb / 1024;
  const rollupMemoryGb = life.perSurvey.rollup.memoryMb / 1024;
  const fixedPerDay =
    day.dispatchTicks *
      (PRICES.schedulerInvocation +
        PRICES.lambdaRequest +
        dispatchMemoryGb * (day.idleTickMs / 1000) * PRICES.lambdaGbSecondArm +
        day.idleTickReadUnits * PRICES.dynamoReadUnit) +
    day.rollupRuns *
      (PRICES.schedulerInvocation +
        PRICES.lambdaRequest +
        rollupMemoryGb * (day.rollupDurationMs / 1000) * PRICES.lambdaGbSecondArm +
        // every night recomputes the last days: the fixed part of each day's run, that many times
        life.nightsEachDayIsRecomputed *
          (day.rollupFixedReadUnits * PRICES.dynamoReadUnit +
            day.rollupFixedWriteUnits * PRICES.dynamoWriteUnit));
  // Priced like an idle dispatch tick (the same kind of work: a few outbox queries, nothing due).
  const sweepsPerDay =
    FOLLOW_UP_SWEEPS_PER_DAY *
    (PRICES.schedulerInvocation +
      PRICES.lambdaRequest +
      dispatchMemoryGb * (day.idleTickMs / 1000) * PRICES.lambdaGbSecondArm +
      FOLLOW_UP_SWEEP_READ_UNITS * PRICES.dynamoReadUnit);
  const fixedPerMonth =
    (fixedPerDay + sweepsPerDay) * 30 +
    PRICES.dashboardMonth +
    STACK_ALARMS * PRICES.alarmMonth +
    STACK_SECRETS * PRICES.secretMonth +
    EDGE_FIXED_MONTH;
  return {
    perThousand,
    perThousandTotal,
    floorPerThousand,
    ratioToFloor: perThousandTotal / floorPerThousand,
    perThousandAtUnitTargets,
    unitTargets,
    fixedPerMonth,
    surveysPerDay: options.surveysPerDay,
    perThousandAtVolume: perThousandTotal + (fixedPerMonth / 30 / options.surveysPerDay) * 1000,
  };
}
