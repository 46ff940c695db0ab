/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy`. Parameters come from context
 * (`-c afterword:alarmEmail=ops@acme.example`, or cdk.json); see README "Deploy to AWS".
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { defineAfterword } from './afterword-app.js';
import { PARAMETER_NAMES, parseParameters } from './parameters.js';

const app = new App();
const parameters = parseParameters(
  Object.fromEntries(
    PARAMETER_NAMES.map((name) => [name, app.node.tryGetContext(`afterword:${name}`) as unknown]),
  ),
);
defineAfterword(app, {
  stackName: (app.node.tryGetContext('afterword:stackName') as string | undefined) ?? 'Afterword',
  parameters,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(
  new AwsSolutionsChecks(app, { verbose: true }),
  new ServerlessChecks(app, { verbose: true }),
);
app.synth();
