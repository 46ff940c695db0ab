/**
 * A function bundled as the stack bundles it (infra/bundling.ts through the CDK's esbuild), for the
 * benchmarks and the test that runs a bundle on its own.
 */
import { build } from 'esbuild';
import { LAMBDA_BUNDLING } from '../../infra/bundling.js';

export async function bundleFunction(entryPoint: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entryPoint],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: LAMBDA_BUNDLING.target,
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap,
    mainFields: LAMBDA_BUNDLING.mainFields,
    external: LAMBDA_BUNDLING.externalModules,
    banner: { js: LAMBDA_BUNDLING.banner },
    logLevel: 'error',
  });
}
