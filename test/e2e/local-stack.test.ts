/**
 * `afterword start` as a newcomer runs it: it comes up, takes an event, stops every child on
 * Ctrl-C, and keeps its data across a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { invitationIdFor } from '../../lib/domain/ids.js';
import { freePort, waitFor } from '../../lib/local/ports.js';
import { createRuntime } from '../../lib/runtime.js';
import { loadConfig } from '../../lib/config/load.js';
import { CLI, runCli } from '../support/cli.js';
import { TEST_SIGNING } from '../support/harness.js';

async function portsEnv() {
  return {
    AFTERWORD_DYNAMODB_PORT: String(await freePort()),
    AFTERWORD_SES_PORT: String(await freePort()),
    AFTERWORD_BUS_PORT: String(await freePort()),
    AFTERWORD_WEB_PORT: String(await freePort()),
    AFTERWORD_OIDC_PORT: String(await freePort()),
  };
}

function startStack(env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, 'start', '--instant'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output: () => output, exited };
}

async function stop(stack: { child: ChildProcess; exited: Promise<number | null> }) {
  stack.child.kill('SIGINT');
  return stack.exited;
}

async function portIsFree(port: string) {
  return new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(Number(port), '0.0.0.0', () => probe.close(() => resolve(true)));
  });
}

describe('afterword start', () => {
  const running: ReturnType<typeof startStack>[] = [];
  afterEach(async () => {
    for (const stack of running.splice(0)) if (stack.child.exitCode === null) await stop(stack);
  });

  it('comes up, stops every child on Ctrl-C, and keeps its data across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'afterword-start-'));
    const env = { ...(await portsEnv()), AFTERWORD_DATA_DIR: dataDir };
    const first = startStack(env);
    running.push(first);
    await waitFor(
      'the stack to say it is running',
      () => Promise.resolve(first.output().includes('Press Ctrl-C')),
      {
        timeoutMs: 45_000,
      },
    );
    expect(first.output()).toContain(`http://127.0.0.1:${env.AFTERWORD_BUS_PORT}`);
    expect(first.output()).toContain(`http://127.0.0.1:${env.AFTERWORD_WEB_PORT}`);

    const sent = await runCli(['send', 'test/fixtures/events/support-call.v1.json'], env);
    expect(sent.stdout).toMatch(/accepted: event /);
    const invitationId = invitationIdFor('afterword.cli', 'call-8841');
    // It waited and says what became of the event: the fixture happened now, so it is asked.
    expect(sent.stdout).toContain(`invitation ${invitationId}, to be sent at`);
    expect(sent.code).toBe(0);
    const again = await runCli(['send', 'test/fixtures/events/support-call.v1.json'], env);
    expect(again.stdout).toContain('duplicate: interaction call-8841 was decided at');
    const broken = await runCli(
      [
        'send',
        '--touchpoint',
        'support-call',
        '--channel',
        'not a channel!',
        '--customer-id',
        'c-9',
      ],
      env,
    );
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/dead-lettered: .*channel/);
    // The start page points the way.
    const home = await fetch(`http://127.0.0.1:${env.AFTERWORD_WEB_PORT}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain(`http://127.0.0.1:${env.AFTERWORD_SES_PORT}/`);
    const rt = createRuntime({
      config: loadConfig(),
      tableName: 'afterword',
      region: 'us-east-1',
      eventBusName: 'afterword',
      publicBaseUrl: 'http://127.0.0.1',
      signing: TEST_SIGNING,
      endpoints: { dynamodb: `http://127.0.0.1:${env.AFTERWORD_DYNAMODB_PORT}` },
    });
    await waitFor(
      'the invitation to be sent',
      async () => (await rt.invitations.get(invitationId))?.status === 'sent',
    );
    const feedback = await runCli(['ses-event', 'delivery', '--invitation', invitationId], env);
    expect(feedback.stdout).toContain('accepted: Email Delivered');
    await waitFor(
      'the delivery to be recorded',
      async () => (await rt.invitations.get(invitationId))?.status === 'delivered',
    );
    const timeline = await runCli(['customer', 'c-123'], env);
    expect(timeline.stdout).toMatch(/sent\s+support-call\/phone/);
    // each line names its invitation, the id ses-event takes
    expect(timeline.stdout).toMatch(
      new RegExp(`decision\\s+support-call/phone\\s+${invitationId}\\s+scheduled`),
    );

    expect(await stop(first)).toBe(0);
    const ports = Object.entries(env).filter(([name]) => name.endsWith('_PORT'));
    for (const [, port] of ports) {
      expect(await portIsFree(port)).toBe(true);
    }
    expect(existsSync(join(dataDir, 'link-secret'))).toBe(true);
    const secret = readFileSync(join(dataDir, 'link-secret'), 'utf8');
    const consentKey = readFileSync(join(dataDir, 'consent-key'), 'utf8');

    const second = startStack(env);
    running.push(second);
    await waitFor(
      'the stack to restart',
      () => Promise.resolve(second.output().includes('Press Ctrl-C')),
      {
        timeoutMs: 45_000,
      },
    );
    expect(await rt.invitations.get(invitationId)).toMatchObject({
      status: 'delivered',
      interactionId: 'call-8841',
    });
    expect(readFileSync(join(dataDir, 'link-secret'), 'utf8')).toBe(secret);
    expect(readFileSync(join(dataDir, 'consent-key'), 'utf8')).toBe(consentKey);

    // An access request, then the customer forgotten: the erasure runs behind the local bus, as
    // behind EventBridge on AWS, and the command waits for its record.
    const access: unknown = JSON.parse(
      (await runCli(['customer', 'c-123', '--format', 'json'], env)).stdout,
    );
    expect(access).toMatchObject({ customerId: 'c-123', invitations: [{ invitationId }] });
    const forgotten = await runCli(['forget', 'c-123'], env);
    expect(forgotten.code, forgotten.stderr).toBe(0);
    expect(forgotten.stdout).toMatch(
      /completed .*1 customer matched; 1 invitation and 0 follow-up cases scrubbed; 1 contact item deleted/,
    );
    const after: unknown = JSON.parse(
      (await runCli(['customer', 'c-123', '--format', 'json'], env)).stdout,
    );
    expect(after).toMatchObject({ invitations: [], profile: null });
    // The smoke test, end to end on the local stack: counted nowhere, answered through the web.
    const smoke = await runCli(['smoke', '--format', 'json'], env, 60_000);
    expect(smoke.code, smoke.stderr).toBe(0);
    expect(JSON.parse(smoke.stdout)).toMatchObject({
      passed: true,
      touchpoint: 'support-call',
      steps: [
        { step: 'decided' },
        { step: 'sent' },
        { step: 'page' },
        { step: 'answered' },
        { step: 'recorded' },
      ],
    });
    // The dead letter of the broken send, replayed: it fails again (the event is still bad), so
    // one dead letter waits, the new one, not the replayed one too.
    const before = JSON.parse((await runCli(['dead-letters', '--format', 'json'], env)).stdout) as {
      at: string;
    }[];
    expect(before).toHaveLength(1);
    const replay = await runCli(['dead-letters', '--replay'], env);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain('local bus: replayed 1');
    await waitFor('the replayed event to fail again', async () => {
      const waiting = JSON.parse(
        (await runCli(['dead-letters', '--format', 'json'], env)).stdout,
      ) as { at: string }[];
      return waiting.length === 1 && waiting[0]!.at > before[0]!.at;
    });
    const usage = await runCli(['forget'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('forget needs one customer id or address');
    rt.dynamodb.destroy();
    expect(await stop(second)).toBe(0);
  }, 120_000);

  it('says how to install Java when it is missing', async () => {
    const env = {
      ...(await portsEnv()),
      AFTERWORD_DATA_DIR: mkdtempSync(join(tmpdir(), 'afterword-nojava-')),
    };
    const { code, stderr } = await runCli(['start'], { ...env, PATH: '/nonexistent' });
    expect(code).toBe(1);
    expect(stderr).toContain('java was not found');
    expect(stderr).toContain('openjdk-17-jre-headless');
  });
});
