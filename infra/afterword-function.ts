/**
 * One construct fixes every function's defaults (Node.js 22 on arm64, an ESM bundle with the SDK
 * inside, split at its dynamic imports, JSON logs under Lambda's log-level controls, a log group
 * with retention, a dead-letter queue for async invocations) so the stack declares functions in a
 * line each and cannot drift between them.
 */
import { AssetStaging, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTION_MEMORY_MB, LAMBDA_BUNDLING, type FunctionName } from './bundling.js';
import { splitBuildOptions } from './split-build.js';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where the programs config sits inside every bundle. */
export const BUNDLED_CONFIG_PATH = '/var/task/afterword.config.json';

export interface AfterwordFunctionProps {
  /** Handler file under `functions/`, without extension. */
  handler: FunctionName;
  description: string;
  /** The validated programs config file, copied into the bundle. */
  configPath: string;
  /** @default 30 seconds */
  timeout?: Duration;
  /** On-failure destination for async invocations that failed every retry; unset for synchronous (HTTP) functions. */
  deadLetterQueue?: sqs.IQueue;
  /** @default 30 days */
  logRetention?: logs.RetentionDays;
  environment?: Record<string, string>;
}

/** DynamoDB actions a function may be granted on the table's items. */
export type ItemAction =
  'GetItem' | 'BatchGetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'BatchWriteItem';

export interface TableAccess {
  /** Actions on the table itself. */
  items?: ItemAction[];
  /** Indexes the function queries (Query is the only action an index takes). */
  queries?: string[];
}

export class AfterwordFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: AfterwordFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Its own role, allowed to write to its own log group only (not the account-wide managed policy).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    this.logGroup.grantWrite(this.role);
    const configFile = basename(BUNDLED_CONFIG_PATH);
    const entry = `${PROJECT_ROOT}functions/${props.handler}.ts`;
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      description: props.description,
      entry,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: FUNCTION_MEMORY_MB[props.handler],
      timeout: props.timeout ?? Duration.seconds(30),
      // No X-Ray: without instrumented SDK clients a trace shows only Lambda's own segment, and
      // instrumenting them (Powertools Tracer) measured +71 ms per cold start (module load 276 ->
      // 348 ms, 1.26x) and +125 KB per bundle, past the 250 KB budgets. Logs carry the trace id.
      tracing: lambda.Tracing.DISABLED,
      // Lambda's advanced logging controls: JSON lines, and the level set here (or in the console)
      // reaches Powertools Logger as AWS_LAMBDA_LOG_LEVEL.
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      logGroup: this.logGroup,
      role: this.role,
      onFailure: props.deadLetterQueue
        ? new destinations.SqsDestination(props.deadLetterQueue)
        : undefined,
      retryAttempts: props.deadLetterQueue ? 2 : undefined,
      environment: {
        AFTERWORD_CONFIG: BUNDLED_CONFIG_PATH,
        POWERTOOLS_SERVICE_NAME: 'afterword',
        ...props.environment,
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        ...LAMBDA_BUNDLING,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // The split build (split-build.ts) in place of the single file just built. Built here,
          // in the synth's own process, when the CDK asks for the commands of a local bundling.
          // It also composes a Docker bundling's, which never runs: this module imports esbuild,
          // so the CDK always finds it locally. Should it ever run, it fails, and says why.
          afterBundling: (_inputDir: string, outputDir: string) => {
            if (outputDir === AssetStaging.BUNDLING_OUTPUT_DIR) {
              return ["echo 'the split build needs a local esbuild (npm ci)' >&2", 'exit 1'];
            }
            const copyConfig = `cp "${props.configPath}" "${outputDir}/${configFile}"`;
            const split = mkdtempSync(join(tmpdir(), 'afterword-split-'));
            buildSync(splitBuildOptions(entry, split));
            return [
              `rm -f "${outputDir}/index.mjs"`,
              `cp -R "${split}/." "${outputDir}/"`,
              `rm -rf "${split}"`,
              copyConfig,
            ];
          },
        },
      },
    });
  }

  /**
   * Grants exactly these actions on the table's items, and Query on the named indexes only, and
   * tells the function the table's name. The permission contract test holds every grant to the
   * calls the function makes.
   */
  useTable(table: dynamodb.ITable, access: TableAccess): this {
    if (access.items?.length) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: access.items.map((action) => `dynamodb:${action}`),
          resources: [table.tableArn],
        }),
      );
    }
    if (access.queries?.length) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: access.queries.map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }
    this.function.addEnvironment('TABLE_NAME', table.tableName);
    return this;
  }

  /** Lets the function read a secret (GetSecretValue only) and tells it where it is, in `variable`. */
  useSecret(secretArn: string, variable: string): this {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretArn],
      }),
    );
    this.function.addEnvironment(variable, secretArn);
    return this;
  }
}
