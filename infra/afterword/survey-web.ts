/**
 * The survey web: what customers and CX leads reach over HTTPS.
 */
import { Annotations, CfnOutput, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { EDGE_RULE_NAMES, EdgeProtection } from '../edge.js';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import type { DeployParameters } from '../parameters.js';
import { createHash } from 'node:crypto';
import type { Afterword, Functions } from '../afterword.js';
import { cognitoSignIn } from './sign-in.js';

/** The unsubscribe route's key: its own throttle on the survey API's stage. */
export const UNSUBSCRIBE_ROUTE_KEY = 'ANY /u/{token}';

/**
 * The survey endpoint (an HTTP API with a stage throttle and access logs without paths), the
 * unsubscribe route with its own throttle, the front door or a custom domain, and the dashboard's
 * routes and sign-in. Returns the API and the public URLs.
 */
export function surveyWeb(
  scope: Afterword,
  {
    parameters,
    functions,
    edgeWebAclParameter,
  }: {
    parameters: DeployParameters;
    functions: Functions;
    edgeWebAclParameter: string | undefined;
  },
) {
  const { dispatch, answer, rollup, 'follow-up': followUp, dashboard } = functions;
  // The survey endpoint: HTTP API with throttling and access logs (no paths: they hold tokens).
  const api = new apigwv2.HttpApi(scope, 'SurveyApi', {
    description: 'Afterword survey pages and answers',
    createDefaultStage: false,
    defaultIntegration: new HttpLambdaIntegration('Answer', answer.function),
  });
  const accessLogs = new logs.LogGroup(scope, 'SurveyApiAccessLogs', {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const stage = new apigwv2.HttpStage(scope, 'SurveyApiStage', {
    httpApi: api,
    stageName: '$default',
    autoDeploy: true,
    throttle: { rateLimit: parameters.answerRateLimit, burstLimit: parameters.answerBurstLimit },
    accessLogSettings: {
      destination: new apigwv2.LogGroupLogDestination(accessLogs),
      format: AccessLogFormat.custom(
        JSON.stringify({
          requestId: '$context.requestId',
          time: '$context.requestTime',
          method: '$context.httpMethod',
          routeKey: '$context.routeKey',
          status: '$context.status',
          latencyMs: '$context.responseLatency',
          integrationError: '$context.integrationErrorMessage',
        }),
      ),
    },
  });
  // Unsubscribing on a route of its own, so its own throttle: a flood of the survey routes (the
  // $default route's budget) cannot starve one-click unsubscribes, which mailbox providers
  // require of bulk senders.
  const [unsubscribeRoute] = api.addRoutes({
    path: '/u/{token}',
    methods: [apigwv2.HttpMethod.ANY],
    integration: new HttpLambdaIntegration('Unsubscribe', answer.function),
  });
  const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
  cfnStage.routeSettings = {
    // a JSON map in CloudFormation's own spelling (CDK passes it through as is)
    [UNSUBSCRIBE_ROUTE_KEY]: {
      ThrottlingRateLimit: parameters.answerRateLimit,
      ThrottlingBurstLimit: parameters.answerBurstLimit,
    },
  };
  cfnStage.addDependency(unsubscribeRoute!.node.defaultChild as apigwv2.CfnRoute);
  let surveyUrl = api.apiEndpoint;
  if (parameters.edgeProtection) {
    surveyUrl = frontDoor(scope, api, parameters, edgeWebAclParameter);
  } else if (parameters.surveyDomain && parameters.surveyCertificateArn) {
    const domain = new apigwv2.DomainName(scope, 'SurveyDomain', {
      domainName: parameters.surveyDomain,
      certificate: acm.Certificate.fromCertificateArn(
        scope,
        'SurveyCertificate',
        parameters.surveyCertificateArn,
      ),
    });
    new apigwv2.ApiMapping(scope, 'SurveyDomainMapping', { api, domainName: domain, stage });
    surveyUrl = `https://${parameters.surveyDomain}`;
    new CfnOutput(scope, 'SurveyDomainTarget', {
      description: 'Point a CNAME (or alias) for the survey domain here',
      value: domain.regionalDomainName,
    });
  }
  for (const fn of [dispatch, answer, dashboard, followUp]) {
    fn.function.addEnvironment('PUBLIC_BASE_URL', surveyUrl);
  }

  // The dashboard: its own function on the survey API's /dashboard routes, behind sign-in.
  const dashboardIntegration = new HttpLambdaIntegration('Dashboard', dashboard.function);
  for (const path of ['/dashboard', '/dashboard/{proxy+}']) {
    api.addRoutes({ path, methods: [apigwv2.HttpMethod.ANY], integration: dashboardIntegration });
  }
  const dashboardUrl = `${surveyUrl}/dashboard`;
  // The digest's "Open the dashboard" link.
  rollup.function.addEnvironment('DASHBOARD_URL', dashboardUrl);
  const sessionSecret = new secrets.Secret(scope, 'DashboardSessionSecret', {
    description:
      'Afterword dashboard cookie keys: {"activeKeyId":"k1","k1":"…"}; add a key and switch activeKeyId to rotate.',
    generateSecretString: {
      secretStringTemplate: JSON.stringify({ activeKeyId: 'k1' }),
      generateStringKey: 'k1',
      passwordLength: 64,
      excludePunctuation: true,
    },
  });
  dashboard.useSecret(sessionSecret.secretArn, 'DASHBOARD_SESSION_SECRET_ARN');
  const signIn = parameters.oidcIssuer
    ? {
        pool: undefined,
        issuer: parameters.oidcIssuer,
        clientId: parameters.oidcClientId!,
        groupsClaim: parameters.oidcGroupsClaim,
        logoutUrl: parameters.oidcLogoutUrl,
      }
    : cognitoSignIn(scope, parameters, dashboardUrl);
  dashboard.function.addEnvironment('OIDC_ISSUER', signIn.issuer);
  dashboard.function.addEnvironment('OIDC_CLIENT_ID', signIn.clientId);
  dashboard.function.addEnvironment('OIDC_GROUPS_CLAIM', signIn.groupsClaim);
  if (signIn.logoutUrl) dashboard.function.addEnvironment('OIDC_LOGOUT_URL', signIn.logoutUrl);
  if (parameters.oidcClientSecretArn) {
    dashboard.useSecret(parameters.oidcClientSecretArn, 'OIDC_CLIENT_SECRET_ARN');
  }

  return { api, surveyUrl, dashboardUrl, sessionSecret, userPool: signIn.pool };
}

/**
 * CloudFront before the survey API, with the web ACL (a per-client limit, AWS managed
 * protections); nothing cached (every page is per link), every viewer header but Host passed on.
 * No access logs: CloudFront's and WAF's would keep request paths, and the paths hold link tokens.
 * The API's own URL stays reachable, limited by its stage throttle (README).
 */
export function frontDoor(
  scope: Afterword,
  api: apigwv2.HttpApi,
  parameters: DeployParameters,
  edgeParameter: string | undefined,
): string {
  let webAclArn: string;
  if (edgeParameter) {
    // Read across regions at deploy time: the edge stack, in us-east-1, deploys first.
    const parameterArn = `arn:${Stack.of(scope).partition}:ssm:us-east-1:${Stack.of(scope).account}:parameter${edgeParameter}`;
    scope.edgeReader = new cr.AwsCustomResource(scope, 'EdgeWebAclArn', {
      onUpdate: {
        service: 'SSM',
        action: 'getParameter',
        parameters: { Name: edgeParameter },
        region: 'us-east-1',
        // Read again whenever the edge's settings change (and so, perhaps, its ACL): a
        // physical id that never changed would leave the distribution on an old ACL.
        physicalResourceId: cr.PhysicalResourceId.of(
          `${edgeParameter}#${createHash('sha256')
            .update(JSON.stringify({ rateLimit: parameters.edgeRateLimit, rules: EDGE_RULE_NAMES }))
            .digest('hex')
            .slice(0, 12)}`,
        ),
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [parameterArn] }),
      installLatestAwsSdk: false,
    });
    webAclArn = scope.edgeReader.getResponseField('Parameter.Value');
  } else {
    if (!Token.isUnresolved(Stack.of(scope).region) && Stack.of(scope).region !== 'us-east-1') {
      Annotations.of(scope).addError(
        `edgeProtection needs a web ACL in us-east-1 (CloudFront takes them from there only): deploy with the Afterword CDK app, which adds the AfterwordEdge stack there, or set -c afterword:edgeProtection=false`,
      );
    } else if (Token.isUnresolved(Stack.of(scope).region)) {
      // `cdk deploy` always knows the region (from the profile); a bare offline synth may not.
      Annotations.of(scope).addWarningV2(
        'afterword:edge-region-unknown',
        "No region at synth: the front door's web ACL is put in scope stack, which then deploys in us-east-1 only. Deploy with the region set (cdk deploy takes it from your profile), or set -c afterword:edgeProtection=false.",
      );
    }
    scope.edge = new EdgeProtection(scope, 'Edge', { rateLimit: parameters.edgeRateLimit });
    webAclArn = scope.edge.webAcl.attrArn;
  }
  const custom = parameters.surveyDomain && parameters.surveyCertificateArn;
  scope.distribution = new cloudfront.Distribution(scope, 'FrontDoor', {
    comment: 'Afterword survey endpoint',
    defaultBehavior: {
      origin: new origins.HttpOrigin(Fn.select(2, Fn.split('/', api.apiEndpoint)), {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      }),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    },
    webAclId: webAclArn,
    priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    ...(custom
      ? {
          domainNames: [parameters.surveyDomain!],
          certificate: acm.Certificate.fromCertificateArn(
            scope,
            'SurveyCertificate',
            parameters.surveyCertificateArn!,
          ),
          minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
        }
      : {}),
  });
  if (custom) {
    new CfnOutput(scope, 'SurveyDomainTarget', {
      description: 'Point a CNAME (or alias) for the survey domain here',
      value: scope.distribution.distributionDomainName,
    });
    return `https://${parameters.surveyDomain}`;
  }
  return `https://${scope.distribution.distributionDomainName}`;
}
