/**
 * SendEmail has no idempotency token: an SDK retry after a 5xx or a timeout could send a survey
 * twice. The runtime's SES client makes one attempt, and dispatch alone decides what to try again.
 * Proven against a real HTTP endpoint (not a client mock, which would bypass the SDK's retries).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UncertainSendError } from '../../lib/ports/mailer.js';
import { loadConfig } from '../../lib/config/load.js';
import { createRuntime } from '../../lib/runtime.js';

describe('the SES client', () => {
  let server: Server;
  let requests = 0;
  let endpoint = '';

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests++;
      request.resume();
      request.on('end', () => {
        response.writeHead(500, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'InternalFailure',
        });
        response.end(JSON.stringify({ message: 'We encountered an internal error.' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends once on a server error, and reports the email as possibly sent', async () => {
    const rt = createRuntime({
      config: loadConfig(),
      tableName: 'unused',
      region: 'us-east-1',
      endpoints: { ses: endpoint },
    });
    requests = 0;
    const sent = rt.mailer.send({
      from: 'surveys@acme.example',
      to: 'ada@example.com',
      subject: 'How did we do?',
      html: '<p>hi</p>',
      text: 'hi',
    });
    await expect(sent).rejects.toBeInstanceOf(UncertainSendError);
    // The SDK's standard retry strategy would have made 3 attempts on a 500.
    expect(requests).toBe(1);
  });
});
