/**
 * The context `cdk synth` reads from cdk.json (the feature flags above all), so the stack the tests
 * synthesize is the stack a deploy synthesizes, not the one of CDK's legacy defaults.
 */
import { readFileSync } from 'node:fs';

export const CDK_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;
