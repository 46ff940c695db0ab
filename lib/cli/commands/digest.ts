/** `digest`: a day's digest, sent locally or shown from a deployed stack. */
import { buildDigest, sendDigest } from '../../usecases/digest.js';
import { withLocalRuntime, withRuntime, day } from '../shared.js';
import type { CommandInput } from '../command.js';
import type { digest as spec } from '../commands.js';

export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values } = input;
  const date = day(values.date, '--date');
  if (values.stack) {
    // Against a deployed stack the digest is shown, not sent: the nightly run sends it.
    const digest = await withRuntime(values, (rt, stack) =>
      buildDigest(rt, {
        now: new Date(),
        day: date,
        dashboardUrl: stack?.outputs.DashboardUrl ?? '',
      }),
    );
    process.stdout.write(`Subject: ${digest.subject}\n\n${digest.text}\n`);
    return 0;
  }
  const sent = await withLocalRuntime((rt) => sendDigest(rt, { now: new Date(), day: date }));
  process.stdout.write(
    sent
      ? `digest sent to ${sent} recipient(s): see the SES emulator's mailbox\n`
      : 'no digest recipients configured (digest.recipients)\n',
  );
  return 0;
}
