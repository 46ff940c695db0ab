/** `send`: an interaction on the local bus, and what became of it. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { INTERACTION_COMPLETED } from '../../contracts/interaction.js';
import { invitationIdFor } from '../../domain/ids.js';
import { FileJournal, type DeadLetter } from '../../local/dead-letters.js';
import { LOCAL_BUS_NAME } from '../../local/settings.js';
import { printable } from '../format.js';
import { CLI_SOURCE } from '../../contracts/erasure.js';
import { dataDir, putOnLocalBus, withLocalRuntime, progress } from '../shared.js';
import { UsageError } from '../errors.js';
import type { CommandInput } from '../command.js';
import type { send as spec } from '../commands.js';

export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values, positionals } = input;
  const occurredAt = values['occurred-at'];
  if (occurredAt !== undefined && Number.isNaN(Date.parse(occurredAt))) {
    throw new UsageError(
      `--occurred-at must be a date-time such as 2026-12-04T10:00:00Z, got "${occurredAt}"`,
    );
  }
  let detail: unknown;
  if (positionals[0]) {
    try {
      detail = JSON.parse(readFileSync(positionals[0], 'utf8'));
    } catch (error) {
      throw new UsageError(`cannot read ${positionals[0]}: ${(error as Error).message}`);
    }
    // A fixture's own time is long past (and would be skipped too late): it happened now, unless
    // --occurred-at says when.
    if (detail && typeof detail === 'object' && !Array.isArray(detail)) {
      detail = { ...detail, occurredAt: occurredAt ?? new Date().toISOString() };
    }
  } else {
    if (!values.touchpoint || !values.channel || !values['customer-id']) {
      throw new UsageError('send needs a JSON file, or --touchpoint, --channel and --customer-id');
    }
    detail = {
      interactionId: values['interaction-id'] ?? `cli-${Date.now().toString(36)}`,
      occurredAt: values['occurred-at'] ?? new Date().toISOString(),
      touchpoint: values.touchpoint,
      channel: values.channel,
      customer: {
        id: values['customer-id'],
        email: values.email,
        name: values.name,
        locale: values.locale,
        segment: values.segment,
      },
    };
  }
  const putAt = new Date().toISOString();
  const eventId = await putOnLocalBus({
    EventBusName: LOCAL_BUS_NAME,
    Source: CLI_SOURCE,
    DetailType: INTERACTION_COMPLETED,
    Detail: JSON.stringify(detail),
  });
  process.stdout.write(`accepted: event ${eventId}\n`);
  progress(`waiting up to ${SEND_WAIT_MS / 1000} s for intake's decision`);
  const outcome = await outcomeOf(eventId, detail, putAt);
  process.stdout.write(`${printable(outcome.text)}\n`);
  return outcome.failed ? 1 : 0;
}

/** How long `send` waits to say what became of its event. */
const SEND_WAIT_MS = 10_000;

/**
 * What became of an event sent to the local bus: its decision (scheduled with its send time,
 * skipped with the reason, a duplicate of an earlier event), or its dead letter; polled, bounded.
 */
async function outcomeOf(
  eventId: string,
  detail: unknown,
  putAt: string,
): Promise<{ text: string; failed: boolean }> {
  const interactionId = (detail as { interactionId?: unknown } | null)?.interactionId;
  const invitationId =
    typeof interactionId === 'string' && interactionId.trim()
      ? invitationIdFor(CLI_SOURCE, interactionId.trim())
      : undefined;
  const letters = new FileJournal<DeadLetter>(resolve(dataDir(), 'dead-letters.jsonl'));
  const deadline = Date.now() + SEND_WAIT_MS;
  return withLocalRuntime(async (rt) => {
    for (;;) {
      const letter = letters
        .list()
        .find((l) => (l.event as { id?: string } | null)?.id === eventId);
      if (letter) return { text: `dead-lettered: ${letter.error}`, failed: true };
      const invitation = invitationId ? await rt.invitations.get(invitationId) : undefined;
      if (invitation) {
        if (invitation.decidedAt < putAt) {
          return {
            text: `duplicate: interaction ${invitation.interactionId} was decided at ${invitation.decidedAt} (${invitation.status}${invitation.reason ? `: ${invitation.reason}` : ''}); invitation ${invitation.invitationId}`,
            failed: false,
          };
        }
        if (invitation.status === 'skipped') {
          return {
            text: `skipped: ${invitation.reason ?? 'no reason recorded'}; invitation ${invitation.invitationId}`,
            failed: false,
          };
        }
        return {
          text: `${invitation.status}: invitation ${invitation.invitationId}, to be sent at ${invitation.sendAt ?? invitation.decidedAt}`,
          failed: false,
        };
      }
      if (Date.now() >= deadline) {
        return {
          text: `no decision within ${SEND_WAIT_MS / 1000} s: intake may be retrying it (see afterword dead-letters)`,
          failed: true,
        };
      }
      await new Promise((done) => setTimeout(done, 200));
    }
  });
}
