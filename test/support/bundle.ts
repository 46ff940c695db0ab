/**
 * A function bundled as the stack bundles it (infra/split-build.ts: the handler and its chunks),
 * for the benchmarks and the test that runs a bundle on its own.
 */
import { build, type Metafile } from 'esbuild';
import { splitBuildOptions } from '../../infra/split-build.js';

/**
 * Bundles `entryPoint` into `outdir`: the path of its `index.mjs`, and the chunks (paths from the
 * project's root) holding each package's code.
 */
export async function bundleFunction(
  entryPoint: string,
  outdir: string,
): Promise<{ entry: string; chunksWith: (pkg: string) => string[] }> {
  const { metafile } = await build({ ...splitBuildOptions(entryPoint, outdir), metafile: true });
  return { entry: `${outdir}/index.mjs`, chunksWith: (pkg) => chunksWith(metafile, pkg) };
}

function chunksWith(metafile: Metafile, pkg: string): string[] {
  return Object.entries(metafile.outputs)
    .filter(
      ([path, output]) =>
        path.endsWith('.mjs') &&
        !path.endsWith('/index.mjs') &&
        Object.keys(output.inputs).some((input) => input.includes(`node_modules/${pkg}/`)),
    )
    .map(([path]) => path);
}
