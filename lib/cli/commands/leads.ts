/** `leads invite`: a dashboard user for the deployed stack. */
import * as z from 'zod';
import { inviteDashboardUser } from '../leads.js';
import { ROLES, type Role } from '../../auth/roles.js';
import { UsageError } from '../errors.js';
import type { CommandInput } from '../command.js';
import type { leads as spec } from '../commands.js';

/** `afterword leads invite EMAIL --stack NAME`: a dashboard user for the deployed stack. */
export async function run(input: CommandInput<typeof spec>): Promise<number> {
  const { values, positionals } = input;
  const [action, email] = positionals;
  if (action !== 'invite' || !email) {
    throw new UsageError('usage: afterword leads invite EMAIL --stack NAME [--role cx-lead|owner]');
  }
  if (!z.email().safeParse(email).success) {
    throw new UsageError(`"${email}" is not an e-mail address`);
  }
  if (!values.stack) throw new UsageError('leads invite needs --stack NAME (the deployed stack)');
  if (!(ROLES as readonly string[]).includes(values.role)) {
    throw new UsageError(`--role must be cx-lead or owner, got "${values.role}"`);
  }
  const result = await inviteDashboardUser(
    { stackName: values.stack, region: values.region, profile: values.profile },
    email,
    values.role as Role,
  );
  process.stdout.write(
    result.created
      ? `invited ${email} as ${values.role}: Cognito emails a temporary password${result.dashboardUrl ? `; the dashboard: ${result.dashboardUrl}` : ''}
`
      : `${email} already had an account: added to ${values.role}
`,
  );
  return 0;
}
