/**
 * What holds data, made at the construct's root so that its logical ids never move (a test pins
 * them): the table with its indexes, and the dead-letter queues, each kept 14 days, encrypted.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { INDEX, KEY, ROLLUP_ATTRIBUTES, TTL_ATTRIBUTE } from '../../lib/store/table.js';

export function createTable(scope: Construct): dynamodb.TableV2 {
  const attribute = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
  return new dynamodb.TableV2(scope, 'Table', {
    partitionKey: attribute(KEY.pk),
    sortKey: attribute(KEY.sk),
    billing: dynamodb.Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
    timeToLiveAttribute: TTL_ATTRIBUTE,
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    // The rollup's counters are kept from it (issue 19: functions.ts, Count).
    dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
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
      // Issue 19: written once per invitation, never rewritten by a status change (byDay was).
      {
        indexName: INDEX.invitationsByDay.name,
        partitionKey: attribute(INDEX.invitationsByDay.pk),
        sortKey: attribute(INDEX.invitationsByDay.sk),
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
export function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  return new sqs.Queue(scope, id, {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
}
