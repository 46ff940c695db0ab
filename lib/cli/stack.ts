/**
 * The CLI against a deployed stack: the caller's own AWS credentials (the default chain, or
 * `--profile`), the stack found by name and read through its outputs.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Role } from '../auth/roles.js';

export interface StackTarget {
  stackName: string;
  region?: string;
  profile?: string;
}

/** A problem the user can fix (a missing stack, output or permission): printed without a trace. */
export class StackError extends Error {
  override name = 'StackError';
}

const clientConfig = (target: StackTarget) => ({
  ...(target.region ? { region: target.region } : {}),
  ...(target.profile ? { profile: target.profile } : {}),
});

export async function stackOutputs(target: StackTarget): Promise<Record<string, string>> {
  const cloudformation = new CloudFormationClient(clientConfig(target));
  try {
    const { Stacks = [] } = await cloudformation.send(
      new DescribeStacksCommand({ StackName: target.stackName }),
    );
    const [stack] = Stacks;
    if (!stack) throw new StackError(`no stack named ${target.stackName}`);
    return Object.fromEntries(
      (stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
    );
  } catch (error) {
    if (error instanceof StackError) throw error;
    throw new StackError(
      `could not read the stack ${target.stackName}: ${(error as Error).name}: ${(error as Error).message}`,
    );
  } finally {
    cloudformation.destroy();
  }
}

/**
 * Invites a dashboard user into the stack's Cognito pool: Cognito emails them a temporary password
 * (the stack's invitation text, with the dashboard's address), and they join the role's group.
 * Inviting someone already there only adds the group.
 */
export async function inviteDashboardUser(
  target: StackTarget,
  email: string,
  role: Role,
): Promise<{ created: boolean; dashboardUrl?: string }> {
  const outputs = await stackOutputs(target);
  const userPoolId = outputs.DashboardUserPoolId;
  if (!userPoolId) {
    throw new StackError(
      `the stack ${target.stackName} signs in with your own identity provider: add ${email} there, in the group "${role}"`,
    );
  }
  const cognito = new CognitoIdentityProviderClient(clientConfig(target));
  try {
    let created = true;
    try {
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: email,
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
    } catch (error) {
      if (!(error instanceof UsernameExistsException)) throw error;
      created = false;
    }
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: email, GroupName: role }),
    );
    return { created, ...(outputs.DashboardUrl ? { dashboardUrl: outputs.DashboardUrl } : {}) };
  } catch (error) {
    throw new StackError(
      `could not invite ${email}: ${(error as Error).name}: ${(error as Error).message}`,
    );
  } finally {
    cognito.destroy();
  }
}
