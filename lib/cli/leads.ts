/** A dashboard user for a deployed stack's own sign-in (Cognito): `afterword leads invite`. */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Role } from '../auth/roles.js';
import { StackError } from './errors.js';
import { clientConfig, stackOutputs, type StackTarget } from './stack.js';

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
