/** `follow-ups`: follow-up cases of unhappy answers. */
import { addDays } from '../../domain/time.js';
import { columns } from '../format.js';
import { CASE_STATUSES, CLOSED_STATUSES, type CaseStatus } from '../../contracts/follow-up-case.js';
import { isOverdue } from '../../usecases/follow-up.js';
import { QUEUE_DAYS } from '../../web/cases.js';
import { withRuntime, formatOf, positiveInt } from '../shared.js';
import { UsageError } from '../errors.js';
import type { CommandInput } from '../command.js';
import type { followUps as spec } from '../commands.js';

const CASE_STATUS_NAMES = new Set<string>(CASE_STATUSES);

export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values } = input;
  formatOf(values.format);
  if (values.status && !CASE_STATUS_NAMES.has(values.status)) {
    throw new UsageError(
      `--status must be one of ${CASE_STATUSES.join(', ')}, got "${values.status}"`,
    );
  }
  const days = positiveInt(values.days, '--days');
  const now = new Date();
  const cases = await withRuntime(values, async (rt) => {
    const today = now.toISOString().slice(0, 10);
    // Open cases stay until someone acts: by default read back as far as cases are kept.
    const closedOnly = values.status && CLOSED_STATUSES.includes(values.status as CaseStatus);
    const back = days ?? (closedOnly ? QUEUE_DAYS : rt.config.dataRetentionDays);
    return rt.cases.opened(addDays(today, -back), today);
  });
  const owner = values.owner?.toLowerCase();
  const selected = cases
    .filter((c) =>
      values.status
        ? c.status === values.status
        : values.overdue || !CLOSED_STATUSES.includes(c.status),
    )
    .filter((c) => !values.overdue || isOverdue(c, now))
    .filter((c) => !owner || c.owner.email.toLowerCase() === owner)
    .filter((c) => !values.touchpoint || c.touchpoint === values.touchpoint)
    .sort(
      (a, b) =>
        Number(isOverdue(b, now)) - Number(isOverdue(a, now)) || a.dueBy.localeCompare(b.dueBy),
    );
  if (values.format === 'json') {
    process.stdout.write(
      `${JSON.stringify(
        selected.map((c) => ({ ...c, overdue: isOverdue(c, now) })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  if (!selected.length) {
    process.stdout.write('no follow-up cases match\n');
    return 0;
  }
  process.stdout.write(
    columns(
      selected.map((c) => ({
        invitation: c.invitationId,
        touchpoint: c.touchpoint,
        score: String(c.score),
        status: isOverdue(c, now) ? 'open, OVERDUE' : c.status,
        dueBy: c.dueBy.slice(0, 16).replace('T', ' '),
        contact: c.contactAllowed ? 'yes' : 'no',
        owner: c.owner.email,
        rootCause: c.rootCause ?? '',
      })),
    ),
  );
  return 0;
}
