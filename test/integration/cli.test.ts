import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { testRuntime } from '../support/harness.js';
import { freePort } from '../../lib/local/ports.js';
import { runCli } from '../support/cli.js';

describe('the afterword command', () => {
  it('prints its usage', async () => {
    const { code, stdout } = await runCli(['help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/afterword start \[--instant\]/);
  });

  it('says to start the stack when DynamoDB Local is not running', async () => {
    const port = String(await freePort());
    const { code, stderr } = await runCli(['report'], { AFTERWORD_DYNAMODB_PORT: port });
    expect(code).toBe(1);
    expect(stderr).toContain(`cannot reach DynamoDB Local at http://127.0.0.1:${port}`);
    expect(stderr).toContain('npm start');
  });

  it('refuses to start with an invalid config and lists every problem by path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'afterword-cli-'));
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify({ brand: '', sender: 'x', timeZone: 'UTC', programs: [] }));
    const { code, stderr } = await runCli(['start', '--config', path]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/brand: /);
    expect(stderr).toMatch(/sender: /);
    expect(stderr).toMatch(/programs: /);
  });

  it('names the port and its variable when a port is already taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const dataDir = mkdtempSync(join(tmpdir(), 'afterword-cli-'));
      const { code, stderr } = await runCli(['start'], {
        AFTERWORD_BUS_PORT: String(await freePort()),
        AFTERWORD_WEB_PORT: String(port),
        AFTERWORD_DATA_DIR: dataDir,
      });
      expect(code).toBe(1);
      expect(stderr).toContain(`port ${port} for the survey web app is already in use`);
      expect(stderr).toContain('AFTERWORD_WEB_PORT');
    } finally {
      blocker.close();
    }
  });

  it('imports customers from a CSV file, or names every bad row and imports nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'afterword-cli-'));
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'customerId,email\nc-1,ada@example.com\nc-2,nope\nc-3,\n');
    const refused = await runCli(['customers', 'import', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('nothing imported, 2 problems');
    expect(refused.stderr).toContain('line 3, email: must be an email address');
    expect(refused.stderr).toContain('line 4, email: is required');
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace

    const rt = await testRuntime();
    const good = join(dir, 'good.csv');
    writeFileSync(good, 'customerId,email,segment\nc-1,ada@example.com,smb\n');
    const env = {
      AFTERWORD_DYNAMODB_PORT: new URL(inject('dynamodbEndpoint')).port,
      AFTERWORD_TABLE: rt.settings.tableName,
    };
    const imported = await runCli(['customers', 'import', good], env);
    expect(imported.stdout).toBe(
      `imported 1 customers from ${good}: 1 new, 0 updated, 0 unchanged\n`,
    );
    expect((await rt.contacts.get('c-1')).profile).toEqual({
      email: 'ada@example.com',
      segment: 'smb',
      seenOn: new Date().toISOString().slice(0, 10), // no lastSeen: known as of the import
    });
    expect((await runCli(['customers', 'export', good])).code).toBe(2);
  });

  it('rejects a bad flag value with the value in the message', async () => {
    const { code, stderr } = await runCli(['report', '--format', 'xml']);
    expect(code).toBe(2);
    expect(stderr).toContain('--format must be table, csv or json, got "xml"');
  });
});

describe('afterword events and dead-letters', () => {
  it('lists the local event log newest first, filtered by type', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'afterword-events-'));
    const log = (type: string, n: number) =>
      JSON.stringify({
        id: `e${n}`,
        'detail-type': type,
        source: 'afterword',
        time: `2026-11-23T10:0${n}:00Z`,
        detail: { n },
      });
    writeFileSync(
      join(dataDir, 'events.jsonl'),
      [
        log('Survey Answered', 1),
        log('Survey Follow-up Requested', 2),
        log('Survey Answered', 3),
      ].join('\n') + '\n',
    );
    const { code, stdout } = await runCli(['events', '--type', 'Survey Answered'], {
      AFTERWORD_DATA_DIR: dataDir,
    });
    expect(code).toBe(0);
    expect(stdout.indexOf('{"n":3}')).toBeLessThan(stdout.indexOf('{"n":1}'));
    expect(stdout).not.toContain('Follow-up');
    const empty = await runCli(['dead-letters'], { AFTERWORD_DATA_DIR: dataDir });
    expect(empty.stdout).toContain('no dead letters');

    // Every listing as JSON too, for scripts; a format it does not have is a usage error.
    const json = await runCli(['events', '--format', 'json', '--type', 'Survey Answered'], {
      AFTERWORD_DATA_DIR: dataDir,
    });
    expect((JSON.parse(json.stdout) as { id: string }[]).map((e) => e.id)).toEqual(['e3', 'e1']);
    writeFileSync(
      join(dataDir, 'dead-letters.jsonl'),
      `${JSON.stringify({ at: '2026-11-23T10:00:00Z', rule: 'InteractionCompleted', target: 'intake', attempts: 1, error: 'InvalidEventError: bad', event: { id: 'x' } })}\n`,
    );
    const letters = await runCli(['dead-letters', '--format', 'json'], {
      AFTERWORD_DATA_DIR: dataDir,
    });
    expect(JSON.parse(letters.stdout)).toMatchObject([
      { target: 'intake', error: 'InvalidEventError: bad' },
    ]);
    const bad = await runCli(['dead-letters', '--format', 'yaml'], { AFTERWORD_DATA_DIR: dataDir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format must be table or json, got "yaml"');
  }, 60_000);

  it('refuses SES feedback for an invitation that does not exist, naming where ids are', async () => {
    const rt = await testRuntime();
    const { code, stderr } = await runCli(
      ['ses-event', 'delivery', '--invitation', 'doesnotexist'],
      {
        AFTERWORD_DYNAMODB_PORT: new URL(inject('dynamodbEndpoint')).port,
        AFTERWORD_TABLE: rt.settings.tableName,
      },
    );
    expect(code).toBe(2);
    expect(stderr).toContain('no invitation doesnotexist');
  });
});
