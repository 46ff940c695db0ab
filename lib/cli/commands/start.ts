/** The local stack, in the foreground. */
import { resolve } from 'node:path';
import { startLocalStack } from '../../local/stack.js';
import { DEFAULT_TABLE, LOCAL_BUS_NAME, LOCAL_REGION, portsFromEnv } from '../../local/settings.js';
import { dataDir } from '../shared.js';
import type { CommandInput } from '../command.js';
import type { start as spec } from '../commands.js';

export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values } = input;
  const ports = portsFromEnv();
  const stack = await startLocalStack({
    ports,
    dataDir: dataDir(),
    configPath: values.config ? resolve(values.config) : undefined,
    tableName: process.env.AFTERWORD_TABLE ?? DEFAULT_TABLE,
    instant: values.instant,
  });
  const { urls } = stack;
  process.stdout.write(
    [
      `Afterword local stack is running${values.instant ? ' (instant: program delays ignored)' : ''}`,
      `  event bus (PutEvents)  ${urls.bus}   bus name "${LOCAL_BUS_NAME}", region ${LOCAL_REGION}`,
      `  survey web app         ${urls.web}   CX dashboard: ${urls.web}/dashboard`,
      `  sign-in (local OIDC)   ${urls.oidc}   pick a local user: the CX lead or a program owner`,
      `  SES emulator           ${urls.ses}   mailbox viewer; GET ${urls.ses}/store`,
      `  DynamoDB Local         ${urls.dynamodb}   table "${stack.runtime.settings.tableName}", data in ${dataDir()}`,
      `  dispatcher             every ${values.instant ? 1 : 5} s`,
      '',
      'Try: npx afterword send test/fixtures/events/support-call.v1.json',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((done) => {
    const shutdown = () => {
      process.stdout.write('\nstopping…\n');
      done();
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  await stack.stop();
  return 0;
}
