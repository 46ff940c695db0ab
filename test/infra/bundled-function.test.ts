/**
 * A function's bundle run on its own, as Lambda runs it: the SDK is inside the bundle (no
 * node_modules next to it), the endpoints and credentials come from the environment only. The
 * other tests run the functions' sources; this one proves the bundled SDK (its ES module build,
 * its credential chain, a client loaded on first use) works.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_CONFIG_PATH } from '../../lib/config/load.js';
import { invitationIdFor } from '../../lib/domain/ids.js';
import { invitationKey } from '../../lib/store/invitation-items.js';
import { ensureTable } from '../../lib/store/table.js';
import { bundleFunction } from '../support/bundle.js';
import { REGION } from '../support/cfn.js';
import {
  startFakeSecretsManager,
  type FakeSecretsManager,
} from '../support/fake-secrets-manager.js';
import { interaction } from '../support/harness.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
let secrets: FakeSecretsManager;
const tableName = `bundle-${randomUUID().slice(0, 8)}`;
const consentKeyArn = `arn:aws:secretsmanager:${REGION}:111122223333:secret:consent-key`;

beforeAll(async () => {
  // Outside the repository, so nothing can resolve a package from its node_modules.
  dir = mkdtempSync(join(tmpdir(), 'afterword-bundle-'));
  await bundleFunction(join(ROOT, 'functions', 'intake.ts'), join(dir, 'intake'));
  secrets = await startFakeSecretsManager();
  secrets.put(consentKeyArn, randomBytes(32).toString('base64url'));
  const client = new DynamoDBClient({
    endpoint: inject('dynamodbEndpoint'),
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(client, tableName);
  client.destroy();
}, 120_000);

afterAll(async () => {
  await secrets?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Imports the bundle in a fresh Node process and calls its handler with `event`. */
async function invoke(bundle: string, event: unknown): Promise<unknown> {
  const script =
    'const m = await import(process.argv[1]); console.log(JSON.stringify(await m.handler(JSON.parse(process.argv[2]))));';
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', script, bundle, JSON.stringify(event)],
    {
      cwd: dirname(bundle),
      env: {
        PATH: process.env.PATH,
        LOG_LEVEL: 'silent',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        // The SDK's own per-service endpoint variables: nothing in the bundle points it anywhere.
        AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint'),
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        TABLE_NAME: tableName,
        CONSENT_KEY_SECRET_ARN: consentKeyArn,
        AFTERWORD_CONFIG: DEFAULT_CONFIG_PATH,
        POWERTOOLS_SERVICE_NAME: 'afterword',
      },
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

describe('a function bundle, run on its own', () => {
  it('carries its SDK: intake decides an interaction against DynamoDB and Secrets Manager', async () => {
    const bundle = join(dir, 'intake', 'index.mjs');
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    const detail = interaction();
    const result = await invoke(bundle, {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Interaction Completed',
      source: 'crm.calls',
      account: '111122223333',
      time: detail.occurredAt,
      region: REGION,
      resources: [],
      detail,
    });
    const invitationId = invitationIdFor('crm.calls', detail.interactionId);
    expect(result).toEqual({ invitationId, status: 'scheduled', duplicate: false });
    // The consent key was read through the bundled Secrets Manager client, loaded on first use.
    expect(secrets.reads()).toBe(1);

    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: inject('dynamodbEndpoint'),
        region: REGION,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: invitationKey(invitationId) }),
    );
    expect(Item).toMatchObject({ status: 'scheduled', touchpoint: detail.touchpoint });
    doc.destroy();
  });
});
