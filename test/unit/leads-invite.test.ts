/**
 * `afterword leads invite` against a deployed stack. No AWS here: CloudFormation and Cognito are
 * mocked (aws-sdk-client-mock), to hold the calls the command makes and what it says.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../lib/cli/main.js';

describe('afterword leads invite', () => {
  const cloudformation = mockClient(CloudFormationClient);
  const cognito = mockClient(CognitoIdentityProviderClient);
  let out: string[];
  let err: string[];
  beforeEach(() => {
    cloudformation.reset();
    cognito.reset();
    out = [];
    err = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err.push(String(chunk));
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  const withOutputs = (outputs: Record<string, string>) =>
    cloudformation.on(DescribeStacksCommand, { StackName: 'Afterword' }).resolves({
      Stacks: [
        {
          StackName: 'Afterword',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({
            OutputKey,
            OutputValue,
          })),
        },
      ],
    });

  it("creates the user in the stack's pool, emailed by Cognito, and adds them to the role's group", async () => {
    withOutputs({
      DashboardUserPoolId: 'us-east-1_abc',
      DashboardUrl: 'https://x.execute-api.us-east-1.amazonaws.com/dashboard',
    });
    const code = await main([
      'leads',
      'invite',
      'ada@acme.example',
      '--stack',
      'Afterword',
      '--region',
      'us-east-1',
    ]);
    expect(code).toBe(0);
    expect(cognito.commandCalls(AdminCreateUserCommand)[0]!.args[0].input).toMatchObject({
      UserPoolId: 'us-east-1_abc',
      Username: 'ada@acme.example',
      DesiredDeliveryMediums: ['EMAIL'],
    });
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)[0]!.args[0].input).toEqual({
      UserPoolId: 'us-east-1_abc',
      Username: 'ada@acme.example',
      GroupName: 'cx-lead',
    });
    expect(out.join('')).toContain('invited ada@acme.example as cx-lead');
  });

  it('adds an existing user to the group (owner) without a second invitation', async () => {
    withOutputs({ DashboardUserPoolId: 'us-east-1_abc' });
    cognito
      .on(AdminCreateUserCommand)
      .rejects(new UsernameExistsException({ message: 'exists', $metadata: {} }));
    const code = await main([
      'leads',
      'invite',
      'bo@acme.example',
      '--stack',
      'Afterword',
      '--region',
      'us-east-1',
      '--role',
      'owner',
    ]);
    expect(code).toBe(0);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)[0]!.args[0].input.GroupName).toBe(
      'owner',
    );
    expect(out.join('')).toContain('already had an account: added to owner');
  });

  it("says to add the user at the company's identity provider when the stack uses one", async () => {
    withOutputs({ DashboardUrl: 'https://x/dashboard' });
    expect(
      await main([
        'leads',
        'invite',
        'ada@acme.example',
        '--stack',
        'Afterword',
        '--region',
        'us-east-1',
      ]),
    ).toBe(1);
    expect(err.join('')).toContain('signs in with your own identity provider');
    expect(cognito.calls()).toHaveLength(0);
  });

  it('names what is wrong with the arguments', async () => {
    // A command line that cannot run as written: exit 2.
    expect(await main(['leads', 'invite', 'not-an-address', '--stack', 'A'])).toBe(2);
    expect(await main(['leads', 'invite', 'ada@acme.example'])).toBe(2);
    expect(
      await main(['leads', 'invite', 'ada@acme.example', '--stack', 'A', '--role', 'boss']),
    ).toBe(2);
    expect(err.join('')).toMatch(/not an e-mail address[\s\S]*needs --stack[\s\S]*--role must be/);
  });
});
