/** Log lines through Powertools Logger: the request and trace ids on Lambda, the level at each line. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { log, logInvocation } from '../../lib/adapters/log.js';

function captured(write: () => void): Record<string, unknown>[] {
  const chunks: string[] = [];
  const capture = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    write();
  } finally {
    vi.restoreAllMocks();
  }
  return chunks
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('log lines', () => {
  afterEach(() => vi.unstubAllEnvs());

  it("carry the invocation's request id and Lambda's trace id, beside the caller's fields", () => {
    vi.stubEnv('LOG_LEVEL', 'info');
    vi.stubEnv('_X_AMZN_TRACE_ID', 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0');
    logInvocation({ awsRequestId: 'req-42', functionName: 'afterword-intake' });
    const [line] = captured(() => log.info('invitation scheduled', { invitationId: 'inv-1' }));
    expect(line).toMatchObject({
      level: 'INFO',
      message: 'invitation scheduled',
      service: 'afterword',
      function_request_id: 'req-42',
      function_name: 'afterword-intake',
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      invitationId: 'inv-1',
    });
  });

  it('follow LOG_LEVEL as it is when the line is written (the CLI sets it after loading)', () => {
    vi.stubEnv('LOG_LEVEL', 'warn');
    const lines = captured(() => {
      log.info('hidden');
      log.warn('shown');
    });
    expect(lines.map((line) => line.message)).toEqual(['shown']);
    vi.stubEnv('LOG_LEVEL', 'silent');
    expect(captured(() => log.error('also hidden'))).toEqual([]);
  });

  it('get the request id in every Lambda handler', () => {
    const folder = join(import.meta.dirname, '../../functions');
    const handlers = readdirSync(folder).filter((name) => name.endsWith('.ts'));
    expect(handlers.length).toBeGreaterThan(5);
    for (const name of handlers) {
      expect(readFileSync(join(folder, name), 'utf8'), name).toMatch(/logInvocation\(context\)/);
    }
  });
});
