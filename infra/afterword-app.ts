/**
 * Afterword's stacks in a CDK app: the stack, and, when the front door is on and the stack lives
 * outside us-east-1, the small AfterwordEdge stack there holding the web ACL (CloudFront takes web
 * ACLs from us-east-1 only), whose ARN the stack reads across regions (an SSM parameter there).
 * cdk-nag findings are acknowledged on each construct they concern.
 */
import type { App, Environment } from 'aws-cdk-lib';
import { AfterwordStack } from './afterword-stack.js';
import { AfterwordEdgeStack } from './edge.js';
import { applySuppressions, type Acknowledged } from './nag-suppressions.js';
import type { DeployParameters } from './parameters.js';

export interface AfterwordApp {
  stack: AfterwordStack;
  edge?: AfterwordEdgeStack;
  acknowledged: Acknowledged[];
}

export function defineAfterword(
  app: App,
  options: { stackName: string; parameters: DeployParameters; env?: Environment },
): AfterwordApp {
  const { stackName, parameters, env } = options;
  const crossRegion =
    parameters.edgeProtection && env?.region !== undefined && env.region !== 'us-east-1';
  const edge = crossRegion
    ? new AfterwordEdgeStack(app, `${stackName}Edge`, {
        env: { account: env.account, region: 'us-east-1' },
        rateLimit: parameters.edgeRateLimit,
        mainStackName: stackName,
        description: `Afterword ${stackName}: the survey endpoint's web ACL (CloudFront takes them from us-east-1)`,
      })
    : undefined;
  const stack = new AfterwordStack(app, stackName, {
    parameters,
    ...(env ? { env } : {}),
    ...(edge ? { edgeWebAclParameter: edge.parameterName } : {}),
  });
  if (edge) stack.addDependency(edge);
  const acknowledged = applySuppressions(stack.afterword);
  return { stack, ...(edge ? { edge } : {}), acknowledged };
}
