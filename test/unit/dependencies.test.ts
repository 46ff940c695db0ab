import { describe, expect, it } from 'vitest';
import { createRuntime, dependenciesFor } from '../../lib/runtime.js';
import { DISPATCH_HANDLER_USES } from '../../lib/handlers/dispatch.js';
import { FEEDBACK_HANDLER_USES } from '../../lib/handlers/feedback.js';
import { INTAKE_HANDLER_USES } from '../../lib/handlers/intake.js';
import { WEB_APP_USES } from '../../lib/web/app.js';
import { loadConfig } from '../../lib/config/load.js';
import type { Mailer } from '../../lib/ports/mailer.js';

const runtime = () =>
  createRuntime({
    config: loadConfig(),
    tableName: 'unused',
    region: 'eu-west-1',
    endpoints: { dynamodb: 'http://127.0.0.1:1' },
  });

describe("a function's dependencies", () => {
  it('hold the parts its handler declares and nothing else', () => {
    const feedback = dependenciesFor(runtime(), FEEDBACK_HANDLER_USES);
    expect(Object.keys(feedback).sort()).toEqual(['invitations', 'suppressions']);
    expect('mailer' in feedback).toBe(false);
    const intake = dependenciesFor(runtime(), INTAKE_HANDLER_USES);
    expect(Object.keys(intake)).not.toContain('mailer');
    expect(Object.keys(intake)).not.toContain('cases');
    // The survey page's function reaches no mailer and no dispatcher lease.
    const web = Object.keys(dependenciesFor(runtime(), WEB_APP_USES));
    expect(web).toEqual(expect.arrayContaining(['answers', 'invitations', 'signer']));
    expect(web).not.toContain('mailer');
    expect(web).not.toContain('dispatcherLease');
  });

  it('read through to the runtime: one store per part, and a replaced mailer is the one used', () => {
    const rt = runtime();
    const dispatch = dependenciesFor(rt, DISPATCH_HANDLER_USES);
    expect(dispatch.outbox).toBe(rt.outbox);
    expect(dispatch.outbox).toBe(dispatch.outbox);
    const fake = { maxSendRate: () => Promise.resolve(3) } as unknown as Mailer;
    dispatch.mailer = fake;
    expect(rt.mailer).toBe(fake);
  });
});
