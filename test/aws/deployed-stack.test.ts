/**
 * Against a real deployed stack, when asked: AFTERWORD_STACK_NAME=<stack> with AWS credentials in
 * the environment. Uses SES's mailbox simulator, so no real person is emailed. Skipped otherwise.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load.js';
import { invitationIdFor } from '../../lib/domain/ids.js';
import { waitFor } from '../../lib/local/ports.js';
import { createRuntime, type Runtime } from '../../lib/runtime.js';
import { runCli } from '../support/cli.js';

const stackName = process.env.AFTERWORD_STACK_NAME;
const hasCredentials = Boolean(
  process.env.AWS_ACCESS_KEY_ID ||
  process.env.AWS_PROFILE ||
  process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
);
const enabled = Boolean(stackName && hasCredentials);

describe.skipIf(!enabled)(
  `a deployed stack${enabled ? ` (${stackName})` : ': skipped, set AFTERWORD_STACK_NAME and AWS credentials to run'}`,
  () => {
    let outputs: Record<string, string>;
    let rt: Runtime;

    beforeAll(async () => {
      const cloudformation = new CloudFormationClient({});
      const { Stacks } = await cloudformation.send(
        new DescribeStacksCommand({ StackName: stackName }),
      );
      outputs = Object.fromEntries(
        (Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]),
      );
      rt = createRuntime({
        config: loadConfig(),
        tableName: outputs.TableName!,
        region: await cloudformation.config.region(),
      });
    });

    it('takes an interaction from the bus and sends its survey through SES', async () => {
      const interactionId = `integration-${randomUUID()}`;
      const events = new EventBridgeClient({});
      const result = await events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: outputs.EventBusName,
              Source: 'afterword.integration-test',
              DetailType: 'Interaction Completed',
              Detail: JSON.stringify({
                interactionId,
                occurredAt: new Date(Date.now() - 24 * 3600_000).toISOString(), // past its delay: due at once
                touchpoint: 'support-call',
                channel: 'phone',
                customer: {
                  id: 'integration-test',
                  email: 'success@simulator.amazonses.com',
                  locale: 'en-GB',
                },
              }),
            },
          ],
        }),
      );
      expect(result.FailedEntryCount).toBe(0);
      const invitationId = invitationIdFor('afterword.integration-test', interactionId);
      // The dispatcher runs every minute; allow three ticks.
      await waitFor(
        'the survey to be sent',
        async () => {
          const status = (await rt.invitations.get(invitationId))?.status;
          return status === 'sent' || status === 'delivered';
        },
        { timeoutMs: 200_000, intervalMs: 5_000 },
      );
    }, 240_000);

    it('serves the survey endpoint and refuses a forged link', async () => {
      expect((await fetch(new URL('/healthz', outputs.SurveyUrl))).status).toBe(200);
      const forged = await fetch(
        new URL('/s/k1.AAAAAAAAAAAAAAAAAAAAAA.9999999999.forged', outputs.SurveyUrl),
      );
      expect(forged.status).toBe(400);
    });

    it(
      'passes `afterword smoke --stack`: sent, answered through the front door, delivered',
      async () => {
        const smoke = await runCli(
          ['smoke', '--stack', stackName!, '--format', 'json'],
          {},
          15 * 60_000,
        );
        expect(smoke.code, smoke.stderr).toBe(0);
        expect(
          (JSON.parse(smoke.stdout) as { steps: { step: string }[] }).steps.map((s) => s.step),
        ).toEqual(['decided', 'sent', 'page', 'answered', 'recorded', 'delivered']);
      },
      16 * 60_000,
    );
  },
);
