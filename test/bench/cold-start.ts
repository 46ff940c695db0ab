/**
 * Benchmark: each function's cold start as far as this machine can show it. Every handler is
 * bundled the way the CDK stack bundles it (infra/split-build.ts), and its size is measured (the
 * entry and its chunks); then a
 * fresh Node process imports the bundle, against a bare Node process that imports an empty module,
 * interleaved, in the same run. Targets: each bundle under its budget, and a process within 1.15×
 * of one that loads only the DynamoDB SDK (which every function needs) as the Lambda runtime
 * provides it. The bundles carry their own SDK, so a second floor shows what the functions' own
 * code adds: a process loading only the DynamoDB SDK bundled the same way.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FUNCTION_MEMORY_MB, type FunctionName } from '../../infra/bundling.js';
import { bundleBytes } from '../../infra/split-build.js';
import { bundleFunction } from '../support/bundle.js';

import { median } from './stats.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ColdStartResult {
  runs: number;
  bareProcessMs: number;
  /** A process that imports only the runtime's DynamoDB SDK (from node_modules): the target's floor. */
  sdkFloorMs: number;
  /** The same, with the SDK bundled as the functions bundle it: the floor of the bundles' own code. */
  bundledSdkFloorMs: number;
  functions: {
    name: FunctionName;
    bundleBytes: number;
    /** Median wall time of a process that imports the bundle. */
    processMs: number;
    /**
     * The same process, also loading the chunks of the clients its first request needs (they load
     * on first use, so a cold start pays them with that request rather than at module load).
     */
    firstRequestMs: number;
    firstRequestClients: readonly SdkClient[];
    /** processMs − bareProcessMs: what loading this function's module adds. */
    moduleLoadMs: number;
    ratioToBare: number;
  }[];
}

type SdkClient = 'client-secrets-manager' | 'client-sesv2' | 'client-eventbridge' | 'client-s3';

/**
 * The clients a function's first request loads, in the chunks split off its handler
 * (infra/split-build.ts): the secrets its requests verify or hash with, and what its usual
 * request sends. Judged from the code and the stack's grants; what a request does not always need
 * (the dashboard's invitation emails, dispatch's idle ticks) is left out.
 */
export const FIRST_REQUEST_CLIENTS: Record<FunctionName, readonly SdkClient[]> = {
  intake: ['client-secrets-manager'],
  dispatch: ['client-secrets-manager', 'client-sesv2'],
  'answer-http': ['client-secrets-manager', 'client-eventbridge'],
  rollup: ['client-s3', 'client-sesv2'],
  feedback: ['client-secrets-manager'],
  'follow-up': ['client-sesv2', 'client-eventbridge'],
  'dashboard-http': ['client-secrets-manager'],
  launch: ['client-secrets-manager'],
  erasure: ['client-secrets-manager', 'client-eventbridge'],
  count: [],
};

export async function coldStart(runs = 15): Promise<ColdStartResult> {
  // Inside the repo, so the SDK-only process resolves the SDK from node_modules, as the runtime's.
  const dir = join(ROOT, '.afterword', 'bench-bundles');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const names = Object.keys(FUNCTION_MEMORY_MB) as FunctionName[];
  const bundles = new Map<FunctionName, string>();
  // The handler, then the chunks of the clients its first request loads (`FIRST_REQUEST_CLIENTS`)
  const firstRequests = new Map<FunctionName, string>();
  for (const name of names) {
    const { entry, chunksWith } = await bundleFunction(
      join(ROOT, 'functions', `${name}.ts`),
      join(dir, name),
    );
    bundles.set(name, entry);
    const chunks = FIRST_REQUEST_CLIENTS[name].flatMap((client) => {
      const found = chunksWith(`@aws-sdk/${client}`);
      if (!found.length) throw new Error(`${name}: no chunk holds @aws-sdk/${client}`);
      return found;
    });
    // (a job of its own, so its samples stay apart from the handler's even with no chunk)
    firstRequests.set(name, [entry, ...new Set(chunks)].join('|') + '|');
  }
  const empty = join(dir, 'empty.mjs');
  writeFileSync(empty, 'export const handler = async () => undefined;\n');
  const sdkOnly = join(dir, 'sdk-only.mjs');
  writeFileSync(
    sdkOnly,
    "import '@aws-sdk/client-dynamodb'; import '@aws-sdk/lib-dynamodb';\nexport const handler = async () => undefined;\n",
  );
  const { entry: bundledSdk } = await bundleFunction(sdkOnly, join(dir, 'sdk-bundled'));
  // The loader checks the import really yields a handler, so a broken bundle cannot look fast.
  const loader = join(dir, 'load.mjs');
  writeFileSync(
    loader,
    [
      "const [entry, ...chunks] = process.argv[2].split('|');",
      "const m = await import(entry); if (typeof m.handler !== 'function') { console.error('no handler'); process.exit(1); }",
      `for (const chunk of chunks.filter(Boolean)) await import(${JSON.stringify(ROOT)} + chunk);`,
      '',
    ].join('\n'),
  );
  // The stack sets no NODE_OPTIONS (no source maps to enable).
  const env = { ...process.env, NODE_OPTIONS: '', AWS_REGION: 'us-east-1' };
  const timeOne = async (module: string) => {
    const started = performance.now();
    await run(process.execPath, [loader, module], { env });
    return performance.now() - started;
  };
  const samples = new Map<string, number[]>([
    [empty, []],
    [sdkOnly, []],
    [bundledSdk, []],
    ...names.map((name) => [bundles.get(name)!, []] as [string, number[]]),
    ...names.map((name) => [firstRequests.get(name)!, []] as [string, number[]]),
  ]);
  await timeOne(empty); // warm the file cache
  for (let i = 0; i < runs; i++) {
    for (const module of samples.keys()) samples.get(module)!.push(await timeOne(module));
  }
  const bare = median(samples.get(empty)!);
  return {
    runs,
    bareProcessMs: bare,
    sdkFloorMs: median(samples.get(sdkOnly)!) - bare,
    bundledSdkFloorMs: median(samples.get(bundledSdk)!) - bare,
    functions: names.map((name) => {
      const processMs = median(samples.get(bundles.get(name)!)!);
      return {
        name,
        firstRequestClients: FIRST_REQUEST_CLIENTS[name],
        firstRequestMs: median(samples.get(firstRequests.get(name)!)!),
        bundleBytes: bundleBytes(join(dir, name)),
        processMs,
        moduleLoadMs: processMs - bare,
        ratioToBare: processMs / bare,
      };
    }),
  };
}
