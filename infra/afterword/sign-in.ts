/**
 * The dashboard's own sign-in, when no company issuer is given: Amazon Cognito.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { DeployParameters } from '../parameters.js';
import type { Afterword } from '../afterword.js';

/**
 * The dashboard's sign-in when no external issuer is given: an Amazon Cognito user pool with
 * managed login, no self sign-up (CX leads are invited), a second factor, the two groups, and a
 * public app client (authorization code with PKCE: nothing secret lives in the function).
 */
export function cognitoSignIn(
  scope: Afterword,
  parameters: DeployParameters,
  dashboardUrl: string,
) {
  const pool = new cognito.UserPool(scope, 'DashboardUsers', {
    userPoolName: `${Stack.of(scope).stackName}-dashboard`,
    selfSignUpEnabled: false,
    signInAliases: { email: true },
    autoVerify: { email: true },
    mfa: parameters.dashboardMfa === 'required' ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
    mfaSecondFactor: { otp: true, sms: false },
    passwordPolicy: {
      minLength: 12,
      requireLowercase: true,
      requireUppercase: true,
      requireDigits: true,
      requireSymbols: true,
    },
    accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
    featurePlan: cognito.FeaturePlan.ESSENTIALS,
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    userInvitation: {
      emailSubject: `${scope.config.brand}: your customer feedback dashboard`,
      emailBody: `You are invited to the ${scope.config.brand} customer feedback dashboard: ${dashboardUrl}. Sign in as {username} with the temporary password {####}.`,
    },
  });
  for (const group of ['cx-lead', 'owner']) {
    new cognito.CfnUserPoolGroup(scope, `DashboardGroup-${group}`, {
      userPoolId: pool.userPoolId,
      groupName: group,
      description: group === 'cx-lead' ? 'Sees every touchpoint' : 'Sees the touchpoints they own',
    });
  }
  const domain = pool.addDomain('DashboardSignIn', {
    cognitoDomain: {
      domainPrefix: parameters.authDomainPrefix ?? `afterword-${Stack.of(scope).account}`,
    },
    managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
  });
  const client = pool.addClient('Dashboard', {
    generateSecret: false,
    authFlows: { userSrp: true },
    oAuth: {
      flows: { authorizationCodeGrant: true },
      scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
      callbackUrls: [`${dashboardUrl}/auth/callback`],
      logoutUrls: [`${dashboardUrl}/auth/signed-out`],
    },
    supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    preventUserExistenceErrors: true,
    idTokenValidity: Duration.hours(1),
    accessTokenValidity: Duration.hours(1),
  });
  new cognito.CfnManagedLoginBranding(scope, 'DashboardSignInBranding', {
    userPoolId: pool.userPoolId,
    clientId: client.userPoolClientId,
    useCognitoProvidedValues: true,
  });
  return {
    pool,
    issuer: `https://cognito-idp.${Stack.of(scope).region}.${Stack.of(scope).urlSuffix}/${pool.userPoolId}`,
    clientId: client.userPoolClientId,
    groupsClaim: 'cognito:groups',
    logoutUrl: `${domain.baseUrl()}/logout`,
  };
}
