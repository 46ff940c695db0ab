/**
 * The rollup rows for BI tools: the nightly rollup writes each recomputed day as JSON lines to
 * an encrypted, TLS-only, private bucket (`rollups/day=YYYY-MM-DD/rollup.jsonl`), described by a
 * Glue table with partition projection, so Athena, QuickSight or any tool reading the Glue
 * catalog queries it with no crawler and no partition loading.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AfterwordFunction } from '../afterword-function.js';
import type { Afterword } from '../afterword.js';
import { FUNNEL_COUNTS } from '../../lib/contracts/report.js';
import { VALUE_COUNTS } from '../../lib/domain/value.js';
import { REVIEW_COUNTS } from '../../lib/domain/review.js';

export function rollupExports(scope: Afterword, rollup: AfterwordFunction) {
  const accessLogs = new s3.Bucket(scope, 'ExportAccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
    lifecycleRules: [{ expiration: Duration.days(90) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const bucket = new s3.Bucket(scope, 'ExportBucket', {
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

  const databaseName = `afterword_${Stack.of(scope)
    .stackName.toLowerCase()
    .replace(/[^a-z0-9]/g, '_')}`;
  const database = new glue.CfnDatabase(scope, 'ExportDatabase', {
    catalogId: Stack.of(scope).account,
    databaseInput: {
      name: databaseName,
      description:
        'Afterword rollup rows (one per day × touchpoint × channel × segment × journey step)',
    },
  });
  const string = (name: string) => ({ name, type: 'string' });
  const count = (name: string) => ({ name, type: 'bigint' });
  const table = new glue.CfnTable(scope, 'ExportTable', {
    catalogId: Stack.of(scope).account,
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
          ...['touchpoint', 'channel', 'segment', 'journeyId', 'journeyStep', 'metric'].map(string),
          count('invited'),
          { name: 'skipped', type: 'map<string,bigint>' },
          // the rest of the funnel, in the contract's order (FUNNEL_COUNTS starts with invited)
          ...FUNNEL_COUNTS.filter((name) => name !== 'invited').map(count),
          { name: 'scores', type: 'array<bigint>' },
          // revenue at risk: sums in the currency's minor unit (cents), and the answers counted
          ...VALUE_COUNTS.map(count),
          string('valueCurrency'),
          // the review programme: happy answers invited to review, and invitations followed
          ...REVIEW_COUNTS.map(count),
        ],
      },
    },
  });
  table.node.addDependency(database);
  const biReaderPolicy = new iam.ManagedPolicy(scope, 'BiReaderPolicy', {
    description: `Read the Afterword stack ${Stack.of(scope).stackName}'s rollup exports through Glue (Athena, QuickSight)`,
    statements: [
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects('rollups/*')],
      }),
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
        resources: [
          Stack.of(scope).formatArn({ service: 'glue', resource: 'catalog' }),
          Stack.of(scope).formatArn({
            service: 'glue',
            resource: 'database',
            resourceName: databaseName,
          }),
          Stack.of(scope).formatArn({
            service: 'glue',
            resource: 'table',
            resourceName: `${databaseName}/rollups`,
          }),
        ],
      }),
    ],
  });
  new CfnOutput(scope, 'ExportBucketName', { value: bucket.bucketName });
  new CfnOutput(scope, 'ExportGlueTable', { value: `${databaseName}.rollups` });
  new CfnOutput(scope, 'BiReaderPolicyArn', { value: biReaderPolicy.managedPolicyArn });
  return { bucket, accessLogs, biReaderPolicy };
}
