/**
 * cdk-nag findings we accept, each on the construct it concerns and with its specific reason.
 * Everything else cdk-nag reports must be fixed, not acknowledged.
 */
import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { Afterword } from './afterword.js';

export interface Acknowledged {
  id: string;
  reason: string;
}

/** The construct id CDK gives AwsCustomResource's singleton provider function. */
const AWS_CUSTOM_RESOURCE_PROVIDER = 'AWS679f53fac002430cb0da5b7982bd2287';

const NODE_22 =
  'Lambda runs Node.js 22 by design: the project is built and tested for it (local development runs Node 20/22); moving to a newer runtime is a deliberate upgrade, not a drift.';

/** Acknowledges the accepted findings on an Afterword construct (in any stack) and what it made. */
export function applySuppressions(afterword: Afterword): Acknowledged[] {
  const host = Stack.of(afterword);
  const acknowledged: Acknowledged[] = [];
  const acknowledge = (scope: Parameters<typeof Validations.of>[0], ...rules: Acknowledged[]) => {
    for (const rule of rules) Validations.of(scope).acknowledge(rule);
    acknowledged.push(...rules);
  };

  for (const fn of Object.values(afterword.functions)) {
    acknowledge(
      fn,
      { id: 'AwsSolutions::AwsSolutions-L1', reason: NODE_22 },
      { id: 'Serverless::Serverless-LambdaLatestVersion', reason: NODE_22 },
      {
        id: 'Serverless::Serverless-LambdaTracing',
        reason:
          'X-Ray is off by choice: uninstrumented, a trace shows only the Lambda segment; instrumenting the SDK clients measured +71 ms per cold start and +125 KB per bundle. Every log line carries the trace id Lambda assigns.',
      },
      {
        id: 'Serverless::Serverless-LambdaDLQ',
        reason:
          'Async failures go to an SQS on-failure destination, which records the error with the event; a classic DLQ would duplicate it. The survey function is invoked synchronously by API Gateway and has neither.',
      },
    );
  }
  acknowledge(afterword.functions.dispatch, {
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason:
      'ses:GetAccount (the account send rate, read when the config sets none) supports no resource-level permissions, so AWS requires "*".',
  });
  acknowledge(afterword.functions.answer, {
    id: 'Serverless::Serverless-LambdaAsyncFailureDestination',
    reason:
      'Invoked synchronously by API Gateway only: the caller gets the error; there is no async invocation to capture.',
  });
  for (const fn of [
    afterword.functions.dispatch,
    afterword.functions.rollup,
    afterword.functions['follow-up'],
    // invoked by a schedule only when the config has a tracking or periodic program
    ...(Object.keys(afterword.programSchedules).length ? [afterword.functions.launch] : []),
  ]) {
    const logicalId = host.getLogicalId(fn.function.node.defaultChild as CfnElement);
    acknowledge(afterword.schedulerRole, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      reason:
        'CDK grants invoke on the function and its versions (ARN:*); the scheduler role can invoke the scheduled functions (dispatch, rollup, the follow-up sweep, the tracking and periodic runs) and no other.',
    });
  }
  acknowledge(afterword.signingSecret, {
    id: 'AwsSolutions::AwsSolutions-SMG4',
    reason:
      'Links already emailed must keep working until they expire, so keys rotate by adding a key id and switching activeKeyId (README), not by automatic replacement.',
  });
  acknowledge(afterword.sessionSecret, {
    id: 'AwsSolutions::AwsSolutions-SMG4',
    reason:
      'Dashboard sessions must survive a key change until they expire (8 hours), so cookie keys rotate by adding a key id and switching activeKeyId (README), not by automatic replacement.',
  });
  acknowledge(afterword.consentKey, {
    id: 'AwsSolutions::AwsSolutions-SMG4',
    reason:
      'The consent key names opted-out and suppressed addresses by keyed hash; a new key would make every stored opt-out unrecognisable, so it must never rotate. It leaves the account only as an HMAC input inside the functions that read it.',
  });
  if (afterword.edgeReader) {
    // AwsCustomResource's provider: one function per stack, made by CDK.
    const provider = host.node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER);
    const providerReason =
      "the provider of AwsCustomResource, which reads the edge stack's web ACL ARN from SSM in us-east-1 once per deploy; CDK makes it";
    if (provider) {
      acknowledge(
        provider,
        {
          id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: `AWSLambdaBasicExecutionRole (its own logs only): ${providerReason}.`,
        },
        {
          id: 'AwsSolutions::AwsSolutions-L1',
          reason: `CDK picks its runtime: ${providerReason}.`,
        },
        {
          id: 'Serverless::Serverless-LambdaLatestVersion',
          reason: `CDK picks its runtime: ${providerReason}.`,
        },
        {
          id: 'Serverless::Serverless-LambdaTracing',
          reason: `nothing to trace: ${providerReason}.`,
        },
        {
          id: 'Serverless::Serverless-LambdaDLQ',
          reason: `CloudFormation invokes it and reports its failures: ${providerReason}.`,
        },
        {
          id: 'Serverless::Serverless-LambdaAsyncFailureDestination',
          reason: `CloudFormation invokes it and reports its failures: ${providerReason}.`,
        },
        {
          id: 'Serverless::Serverless-LambdaDefaultMemorySize',
          reason: `CDK sizes it: ${providerReason}.`,
        },
        {
          id: 'Serverless::Serverless-LambdaDefaultTimeout',
          reason: `CDK times it: ${providerReason}.`,
        },
      );
    }
  }
  if (afterword.distribution) {
    acknowledge(
      afterword.distribution,
      {
        id: 'AwsSolutions::AwsSolutions-CFR3',
        reason:
          "No CloudFront access logs: they keep each request's path, and survey and unsubscribe paths carry the link tokens. WAF's metrics count what it blocks; the API's access log keeps requests without paths.",
      },
      {
        id: 'AwsSolutions::AwsSolutions-CFR4',
        reason:
          'With a custom survey domain the distribution requires TLS 1.2 (TLSv1.2_2021); on the default *.cloudfront.net name CloudFront fixes the minimum itself and no policy can raise it. The README tells deployers to use their own domain.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-CFR1',
        reason:
          'Customers answer from wherever they are: a geographic restriction would refuse real customers; abuse is limited per client by the web ACL instead.',
      },
    );
  }
  if (afterword.userPool) {
    acknowledge(afterword.userPool, {
      id: 'AwsSolutions::AwsSolutions-COG8',
      reason:
        'The Essentials plan with a required second factor (TOTP), no self sign-up and invited users only; the Plus plan adds threat protection at a per-user price a deployer may choose, not a default.',
    });
  }
  const exportBucket = host.getLogicalId(afterword.exportBucket.node.defaultChild as CfnElement);
  const dailyFiles =
    'The rollup writes one object per day under rollups/ (rollups/day=YYYY-MM-DD/rollup.jsonl): the key names the day, so the grant is on that prefix, in the export bucket only.';
  acknowledge(afterword.functions.rollup, {
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${exportBucket}.Arn>/rollups/*]`,
    reason: dailyFiles,
  });
  acknowledge(afterword.biReaderPolicy, {
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${exportBucket}.Arn>/rollups/*]`,
    reason: `${dailyFiles} BI tools read every day's object under that prefix.`,
  });
  acknowledge(afterword.exportAccessLogs, {
    id: 'AwsSolutions::AwsSolutions-S1',
    reason:
      "This bucket receives the export bucket's server access logs; logging its own access would log the logs.",
  });
  acknowledge(afterword.surveyApi, {
    id: 'AwsSolutions::AwsSolutions-APIG4',
    reason:
      'The survey pages are public by nature: customers open them from email. Each request is authorised by its HMAC-signed, expiring link token, and the stage is throttled.',
  });
  const deadLetterReason =
    'This queue is itself the dead-letter destination of its path; its messages are inspected and redriven by hand, and an alarm fires on its depth.';
  for (const queue of Object.values(afterword.deadLetterQueues)) {
    acknowledge(
      queue,
      { id: 'Serverless::Serverless-SQSRedrivePolicy', reason: deadLetterReason },
      { id: 'AwsSolutions::AwsSolutions-SQS3', reason: deadLetterReason },
    );
  }
  return acknowledged;
}
