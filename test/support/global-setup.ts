/** Starts Amazon DynamoDB Local and the SES emulator for the test run, and stops them after it. */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../lib/local/dynamodb.js';
import { freePort } from '../../lib/local/ports.js';
import { startSesEmulator } from '../../lib/local/ses.js';
import { clearRecordedCalls } from './aws-calls.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    sesEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  // The permission contract reads what this run records, and nothing older.
  clearRecordedCalls();
  const dynamodb = await startDynamoDbLocal({ port: await freePort() });
  const ses = await startSesEmulator({ port: await freePort() });
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  project.provide('sesEndpoint', ses.endpoint);
  return async () => {
    await ses.stop();
    await dynamodb.stop();
  };
}
