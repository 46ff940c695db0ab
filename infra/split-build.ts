/**
 * The functions' bundles, split at their dynamic imports: the handler in `index.mjs`, and what it
 * reaches only on first use (the SES, EventBridge, S3 and Secrets Manager clients: runtime.ts,
 * lib/adapters/) in `chunks/`, loaded when first imported rather than parsed with the handler on
 * every cold start. Measured on the dashboard, the largest: its process 170 → 140 ms (interleaved,
 * median of 15; issue 19). esbuild splits ESM only, into a directory; the CDK's NodejsFunction
 * builds a single file, so the stack runs this build after its own and puts the result in its
 * place (afterword-function.ts). The benchmarks and the bundled-function test build the same way.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { LAMBDA_BUNDLING } from './bundling.js';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export function splitBuildOptions(entryPoint: string, outdir: string): BuildOptions {
  return {
    entryPoints: [entryPoint],
    outdir,
    // the paths in the bundle's comments, and so its bytes and the asset's hash, from the
    // project's root, wherever the build runs
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    entryNames: 'index',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    target: LAMBDA_BUNDLING.target,
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap,
    mainFields: LAMBDA_BUNDLING.mainFields,
    external: LAMBDA_BUNDLING.externalModules,
    // every chunk may call require(): each gets its own (the banner goes on every output file)
    banner: { js: LAMBDA_BUNDLING.banner },
    logLevel: 'error',
  };
}

/** A bundle's size: its entry and every chunk, in bytes (what is deployed, config aside). */
export function bundleBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.mjs'))
    .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}
