/**
 * The Afterword stack that `cdk deploy` of this repo makes: a thin stack around the Afterword
 * construct. The construct's id is CDK's hidden `Default`, so every logical id is the one the
 * stack had before the construct existed (a test pins those of what holds data).
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Afterword, type AfterwordProps } from './afterword.js';

export interface AfterwordStackProps extends StackProps, Omit<AfterwordProps, 'eventBus'> {}

export class AfterwordStack extends Stack {
  readonly afterword: Afterword;

  constructor(scope: Construct, id: string, props: AfterwordStackProps) {
    super(scope, id, props);
    const { parameters, edgeWebAclParameter } = props;
    this.afterword = new Afterword(this, 'Default', {
      parameters,
      ...(edgeWebAclParameter ? { edgeWebAclParameter } : {}),
    });
  }
}
