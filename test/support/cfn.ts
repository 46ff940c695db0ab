/**
 * The synthesized stack as it would stand in one (fictitious) account: every intrinsic function in
 * the template resolved to the names and ARNs CloudFormation would give, so tests can run a
 * function with the environment it is deployed with and evaluate its role's policies as IAM would.
 */
import { App } from 'aws-cdk-lib';
import { AfterwordStack } from '../../infra/afterword-stack.js';
import { parseParameters } from '../../infra/parameters.js';
import { CDK_CONTEXT } from './cdk-context.js';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

type Json = unknown;
interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
}

export interface DeployedStack {
  stack: AfterwordStack;
  template: {
    Resources: Record<string, Resource>;
    Outputs: Record<string, { Value: unknown }>;
  };
  /** The stack's outputs, as `DescribeStacks` gives them once deployed. */
  outputs(): Record<string, string>;
  /** A template value with every intrinsic resolved (throws on one it does not know). */
  resolve(value: Json): Json;
  /** A resource's logical id in the template. */
  logicalId(construct: { node: { defaultChild?: unknown } }): string;
}

/** Synthesizes the stack (no asset bundling: the template is what matters here). */
export function synthDeployedStack(parameters: Record<string, unknown> = {}): DeployedStack {
  const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stack = new AfterwordStack(app, 'Afterword', {
    parameters: parseParameters({ allowPlaceholderAddresses: true, ...parameters }),
    env: { account: ACCOUNT, region: REGION },
  });
  const template = app.synth().getStackByName(stack.stackName)
    .template as DeployedStack['template'];
  const resolver = new Resolver(template, stack.stackName);
  return {
    stack,
    template,
    resolve: (value) => resolver.resolve(value),
    outputs: () =>
      Object.fromEntries(
        Object.entries(template.Outputs).map(([key, { Value }]) => [
          key,
          String(resolver.resolve(Value)),
        ]),
      ),
    logicalId: (construct) =>
      stack.getLogicalId(
        construct.node.defaultChild as Parameters<AfterwordStack['getLogicalId']>[0],
      ),
  };
}

const arn = (service: string, rest: string, region = REGION) =>
  `arn:aws:${service}:${region}:${ACCOUNT}:${rest}`;

/** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split and Fn::Sub as CloudFormation would. */
class Resolver {
  constructor(
    private readonly template: DeployedStack['template'],
    private readonly stackName: string,
  ) {}

  resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, Json>);
    if (entries.length === 1) {
      const [fn, args] = entries[0]!;
      switch (fn) {
        case 'Ref':
          return this.ref(args as string);
        case 'Fn::GetAtt': {
          const [id, attribute] = (
            typeof args === 'string' ? args.split('.') : (args as string[])
          ) as [string, string];
          return this.getAtt(id, attribute);
        }
        case 'Fn::Join': {
          const [separator, parts] = args as [string, Json[]];
          return (this.resolve(parts) as Json[]).join(separator);
        }
        case 'Fn::Select': {
          const [index, list] = args as [number, Json];
          return (this.resolve(list) as Json[])[Number(index)];
        }
        case 'Fn::Split': {
          const [separator, text] = args as [string, Json];
          return String(this.resolve(text)).split(separator);
        }
        case 'Fn::Sub': {
          const [text, vars] = (typeof args === 'string' ? [args, {}] : args) as [
            string,
            Record<string, Json>,
          ];
          return text.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
            String(
              name in vars
                ? this.resolve(vars[name])
                : name.includes('.')
                  ? this.getAtt(...(name.split('.') as [string, string]))
                  : this.ref(name),
            ),
          );
        }
        default:
          if (fn.startsWith('Fn::')) throw new Error(`cannot resolve ${fn}`);
      }
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.resolve(item)]));
  }

  private resource(id: string): Resource {
    const resource = this.template.Resources[id];
    if (!resource) throw new Error(`no resource ${id} in the template`);
    return resource;
  }

  /** The physical name CloudFormation gives a resource without an explicit one. */
  private physicalName(id: string): string {
    return `${this.stackName}-${id}`;
  }

  private nameOf(id: string, property: string): string {
    const given = this.resource(id).Properties?.[property];
    return given === undefined ? this.physicalName(id) : String(this.resolve(given));
  }

  private ref(id: string): Json {
    switch (id) {
      case 'AWS::Region':
        return REGION;
      case 'AWS::AccountId':
        return ACCOUNT;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::StackId':
        return arn('cloudformation', `stack/${this.stackName}/00000000`);
    }
    const { Type } = this.resource(id);
    switch (Type) {
      case 'AWS::DynamoDB::GlobalTable':
        return this.nameOf(id, 'TableName');
      case 'AWS::Events::EventBus':
        return this.nameOf(id, 'Name');
      case 'AWS::SES::ConfigurationSet':
        return this.nameOf(id, 'Name');
      case 'AWS::SecretsManager::Secret':
        return arn('secretsmanager', `secret:${this.nameOf(id, 'Name')}-AbCdEf`);
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${this.nameOf(id, 'QueueName')}`;
      case 'AWS::SNS::Topic':
        return arn('sns', this.nameOf(id, 'TopicName'));
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${ACCOUNT}:policy/${this.nameOf(id, 'ManagedPolicyName')}`;
      case 'AWS::ApiGatewayV2::Api':
        return `api${id.length}`;
      case 'AWS::Logs::LogGroup':
        return this.nameOf(id, 'LogGroupName');
      case 'AWS::S3::Bucket':
        // bucket names are lower case; CloudFormation makes them so
        return this.nameOf(id, 'BucketName').toLowerCase();
      default:
        return this.physicalName(id);
    }
  }

  private getAtt(id: string, attribute: string): Json {
    const { Type } = this.resource(id);
    const key = `${Type}.${attribute}`;
    switch (key) {
      case 'AWS::DynamoDB::GlobalTable.Arn':
        return arn('dynamodb', `table/${this.ref(id) as string}`);
      case 'AWS::DynamoDB::GlobalTable.StreamArn':
        // The stream's label is the time it was enabled: any fixed one stands for it.
        return arn('dynamodb', `table/${this.ref(id) as string}/stream/2026-01-01T00:00:00.000`);
      case 'AWS::Events::EventBus.Arn':
        return arn('events', `event-bus/${this.ref(id) as string}`);
      case 'AWS::Events::EventBus.Name':
        return this.ref(id);
      case 'AWS::SQS::Queue.Arn':
        return arn('sqs', this.nameOf(id, 'QueueName'));
      case 'AWS::SQS::Queue.QueueName':
        return this.nameOf(id, 'QueueName');
      case 'AWS::CloudFront::Distribution.DomainName':
        return `d${id.length}example.cloudfront.net`;
      case 'AWS::Lambda::Function.Arn':
        return arn('lambda', `function:${this.nameOf(id, 'FunctionName')}`);
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${ACCOUNT}:role/${this.nameOf(id, 'RoleName')}`;
      case 'AWS::Logs::LogGroup.Arn':
        return arn('logs', `log-group:${this.nameOf(id, 'LogGroupName')}:*`);
      case 'AWS::SNS::Topic.TopicArn':
        return this.ref(id);
      case 'AWS::ApiGatewayV2::Api.ApiEndpoint':
        return `https://${this.ref(id) as string}.execute-api.${REGION}.amazonaws.com`;
      case 'AWS::SecretsManager::Secret.Id':
        return this.ref(id);
      case 'AWS::S3::Bucket.Arn':
        return `arn:aws:s3:::${this.ref(id) as string}`;
      case 'AWS::SQS::Queue.QueueUrl':
        return this.ref(id);
      default:
        throw new Error(`cannot resolve Fn::GetAtt ${id}.${attribute} (${Type})`);
    }
  }
}
