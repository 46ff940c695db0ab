/**
 * The permission contract, proven offline with a real IAM policy evaluator
 * (@cloud-copilot/iam-simulate): every AWS call each function made while the other tests ran
 * (recorded by test/support/aws-calls.ts) is evaluated against that function's role policies in
 * the synthesized template, resolved as CloudFormation would resolve them. Both ways:
 * - every recorded call must be allowed, conditions included (ses:FromAddress, events:source…);
 * - every granted action on every granted resource must be used by some recorded call, except
 *   what the Lambda service itself does with the function's role (PLATFORM below).
 * This project runs after all the others (vitest `sequence.groupOrder`).
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FunctionName } from '../../lib/adapters/function-scope.js';
import { AFTERWORD_SOURCE } from '../../lib/contracts/survey-events.js';
import { readRecordedCalls, type RecordedCall } from '../support/aws-calls.js';
import { ACCOUNT, REGION, synthDeployedStack, type DeployedStack } from '../support/cfn.js';

/** The stack's functions, and `analyst`: the CLI reading the stack with its analyst policy. */
const FUNCTIONS: FunctionName[] = [
  'intake',
  'dispatch',
  'answer',
  'rollup',
  'feedback',
  'follow-up',
  'dashboard',
  'launch',
  'erasure',
  'count',
  'analyst',
  'privacy',
  'operator',
];

/** The CLI's policies (not functions): each held by a person's role. */
const CLI_POLICIES = {
  analyst: { policy: 'analystPolicy', role: 'cx-analyst' },
  privacy: { policy: 'privacyPolicy', role: 'privacy-officer' },
  operator: { policy: 'operatorPolicy', role: 'platform-operator' },
} as const;
const isCliPolicy = (name: FunctionName): name is keyof typeof CLI_POLICIES =>
  Object.hasOwn(CLI_POLICIES, name);

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
type PolicyDocument = { Version: string; Statement: Statement[] };

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

let deployed: DeployedStack;
let calls: RecordedCall[];

beforeAll(() => {
  deployed = synthDeployedStack();
  calls = readRecordedCalls();
}, 120_000);

function resourceArn(id: string, attribute = 'Arn'): string {
  return deployed.resolve({ 'Fn::GetAtt': [id, attribute] }) as string;
}

/** The identity policies of a function's role (or the analyst policy), resolved. */
function policiesOf(name: FunctionName): { name: string; policy: PolicyDocument }[] {
  if (isCliPolicy(name)) {
    const id = deployed.logicalId(deployed.stack.afterword[CLI_POLICIES[name].policy]);
    return [
      {
        name: id,
        policy: deployed.resolve(
          deployed.template.Resources[id]!.Properties!.PolicyDocument,
        ) as PolicyDocument,
      },
    ];
  }
  const roleId = deployed.logicalId(deployed.stack.afterword.functions[name].role);
  return Object.entries(deployed.template.Resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
    .filter(([, r]) =>
      (r.Properties!.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
    )
    .map(([id, r]) => ({
      name: id,
      policy: deployed.resolve(r.Properties!.PolicyDocument) as PolicyDocument,
    }));
}

/** The ARN a recorded call is authorised against, in the deployed stack. */
function arnOf(call: RecordedCall): string {
  const { resource } = call;
  const tableArn = resourceArn(deployed.logicalId(deployed.stack.afterword.table));
  switch (resource.type) {
    case 'table':
      // One table: the local stack's and the tests' tables stand for it, whatever their names.
      return resource.index ? `${tableArn}/index/${resource.index}` : tableArn;
    case 'ses-identity': {
      // SES authorises a send against the verified identity it sends from: the stack's
      // sesIdentity parameter, by default the From address's domain.
      const identity = resource.fromAddress.split('@')[1];
      return `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${identity}`;
    }
    case 'ses-configuration-set':
      return `arn:aws:ses:${REGION}:${ACCOUNT}:configuration-set/${resource.name}`;
    case 'event-bus':
      if (resource.name.startsWith('arn:')) return resource.name;
      if (resource.name === 'default')
        return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`;
      return resourceArn(deployed.logicalId(deployed.stack.afterword.bus));
    case 'secret':
      return resource.id.startsWith('arn:')
        ? resource.id
        : (deployed.resolve({
            Ref: deployed.logicalId(deployed.stack.afterword.signingSecret),
          }) as string);
    case 'stack':
      return deployed.resolve({ Ref: 'AWS::StackId' }) as string;
    case 'log-group':
      return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${resource.name}:*`;
    case 'queue':
      return `arn:aws:sqs:${REGION}:${ACCOUNT}:${resource.url.split('/').pop()}`;
    case 'bucket-object':
      return `arn:aws:s3:::${resource.bucket}/${resource.key}`;
    case 'function':
      // The tests stand the deployed ARN in (the stack's ReplayTargets output), resolved.
      return resource.arn;
    case 'any':
      return '*';
  }
}

/** Who makes the calls: the function's role, or an analyst's role carrying the analyst policy. */
function principalOf(name: FunctionName): string {
  return isCliPolicy(name)
    ? `arn:aws:iam::${ACCOUNT}:role/${CLI_POLICIES[name].role}`
    : resourceArn(deployed.logicalId(deployed.stack.afterword.functions[name].role));
}

async function decide(
  principal: string,
  policies: { name: string; policy: PolicyDocument }[],
  request: { action: string; resource: string; context: RecordedCall['context'] },
): Promise<string> {
  const response = await runSimulation(
    {
      request: {
        principal,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: request.context,
      },
      identityPolicies: policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType === 'error') return `error: ${JSON.stringify(response.errors)}`;
  return response.overallResult;
}

/** An IAM resource pattern (`*`, `?`) as a RegExp. */
function pattern(resource: string): RegExp {
  const escaped = resource.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replaceAll('*', '.*').replaceAll('?', '.')}$`);
}

/**
 * What the Lambda service does with a function's role, not the function's code: granted by the
 * function construct, never called by a handler, so never recorded. Each is allowed only on the
 * function's own resource.
 */
function platformUse(name: FunctionName): { actions: string[]; resource: string; why: string }[] {
  if (isCliPolicy(name)) return [];
  const fn = deployed.stack.afterword.functions[name];
  const uses = [
    {
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resource: resourceArn(deployed.logicalId(fn.logGroup)),
      why: "Lambda writes the function's logs to its own log group",
    },
  ];
  const deadLetters = (deployed.stack.afterword.deadLetterQueues as Record<string, unknown>)[name];
  if (deadLetters) {
    uses.push({
      actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      resource: resourceArn(
        deployed.logicalId(deployed.stack.afterword.deadLetterQueues[name as 'intake']),
      ),
      why: 'Lambda sends an async invocation that failed every retry to the on-failure destination',
    });
  }
  if (name === 'count') {
    const tableId = deployed.logicalId(deployed.stack.afterword.table);
    uses.push({
      actions: [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
      ],
      resource: resourceArn(tableId, 'StreamArn'),
      why: "Lambda's event source mapping reads the table's stream for the counting",
    });
  }
  return uses;
}

describe('the permission contract (every AWS call each function makes, against its role)', () => {
  it('has this run’s recorded calls for every function (run the whole suite: `npm test`)', () => {
    for (const name of FUNCTIONS) {
      expect(
        calls.filter((call) => call.function === name).length,
        `no AWS calls recorded for ${name}: the tests that run it did not run`,
      ).toBeGreaterThan(0);
    }
  });

  describe.each(FUNCTIONS)('the %s function', (name) => {
    it('is allowed every call it makes, by a real IAM evaluator', async () => {
      const principal = principalOf(name);
      const policies = policiesOf(name);
      const denied: string[] = [];
      for (const call of calls.filter((c) => c.function === name)) {
        const request = { action: call.action, resource: arnOf(call), context: call.context };
        const decision = await decide(principal, policies, request);
        if (decision !== 'Allowed') {
          denied.push(
            `${call.action} on ${request.resource} ${JSON.stringify(call.context)}: ${decision}`,
          );
        }
      }
      expect(denied, `${name} makes calls its role does not allow`).toEqual([]);
    });

    it('is granted nothing it does not use', () => {
      const used = calls.filter((c) => c.function === name);
      const platform = platformUse(name);
      const unused: string[] = [];
      for (const { policy } of policiesOf(name)) {
        for (const statement of policy.Statement.filter((s) => s.Effect === 'Allow')) {
          for (const action of list(statement.Action)) {
            for (const resource of list(statement.Resource)) {
              const excused = platform.some(
                (use) => use.actions.includes(action) && use.resource === resource,
              );
              const exercised = used.some(
                (call) => call.action === action && pattern(resource).test(arnOf(call)),
              );
              if (!excused && !exercised) unused.push(`${action} on ${resource}`);
            }
          }
        }
      }
      expect(unused, `${name} is granted what it never uses`).toEqual([]);
    });
  });
});

describe('the producer policy', () => {
  const producer = `arn:aws:iam::${ACCOUNT}:role/crm-producer`;
  let policies: { name: string; policy: PolicyDocument }[];
  let bus: string;
  beforeAll(() => {
    const id = deployed.logicalId(deployed.stack.afterword.producerPolicy);
    policies = [
      {
        name: id,
        policy: deployed.resolve(
          deployed.template.Resources[id]!.Properties!.PolicyDocument,
        ) as PolicyDocument,
      },
    ];
    bus = resourceArn(deployed.logicalId(deployed.stack.afterword.bus));
  });
  const put = (sources: string[], detailTypes: string[], resource = bus) =>
    decide(producer, policies, {
      action: 'events:PutEvents',
      resource,
      context: { 'events:source': sources, 'events:detail-type': detailTypes },
    });

  it('lets a producer put Interaction Completed events under its own source', async () => {
    expect(await put(['crm.calls'], ['Interaction Completed'])).toBe('Allowed');
    expect(await put(['crm.calls', 'shop.orders'], ['Interaction Completed'])).toBe('Allowed');
  });

  it("refuses Afterword's own source and events, and any other bus", async () => {
    expect(await put([AFTERWORD_SOURCE], ['Interaction Completed'])).toBe('ImplicitlyDenied');
    expect(await put(['crm.calls', AFTERWORD_SOURCE], ['Interaction Completed'])).toBe(
      'ImplicitlyDenied',
    );
    expect(await put([AFTERWORD_SOURCE], ['Survey Answered'])).toBe('ImplicitlyDenied');
    expect(await put(['crm.calls'], ['Survey Answered'])).toBe('ImplicitlyDenied');
    expect(
      await put(
        ['crm.calls'],
        ['Interaction Completed'],
        `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`,
      ),
    ).toBe('ImplicitlyDenied');
  });
});
