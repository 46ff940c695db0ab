/**
 * A function bundled as the stack bundles it (infra/split-build.ts: the handler and its chunks),
 * for the benchmarks and the test that runs a bundle on its own.
 */
import { build } from 'esbuild';
import { splitBuildOptions } from '../../infra/split-build.js';

/** Bundles `entryPoint` into `outdir`; returns the path of its `index.mjs`. */
export async function bundleFunction(entryPoint: string, outdir: string): Promise<string> {
  await build(splitBuildOptions(entryPoint, outdir));
  return `${outdir}/index.mjs`;
}
