/**
 * How each function is built and sized: plain values, shared by the CDK stack and by the
 * benchmarks (which bundle the same way to measure size and load time, and price the memory).
 */

/**
 * esbuild settings for every function (ESM; the format is set where the CDK enum is at hand),
 * chosen by measurement (README, Benchmarks, cold start; issue 19):
 * - **The SDK is bundled.** The runtime's copy loads as CommonJS, a module file at a time (about
 *   +82 ms here); bundled from its ES modules it is one file (+35 ms). It is also the version the
 *   tests ran with, which AWS recommends for production functions.
 * - **No source maps.** `--enable-source-maps` parses the whole map before the handler loads:
 *   10–20 ms with the SDK inside.
 * - **Not minified.** Without a map a stack trace must be readable on its own: it names the real
 *   function, and a line of `index.mjs` that reads as the source under a comment naming its file.
 *   Not minifying measured within the noise of minifying.
 * - **Split at dynamic imports** (split-build.ts): the clients reached on first use load then, not
 *   with the handler: each function's process 1.04–1.16× → 0.79–0.97× the runtime SDK's (0.83–1.14×
 *   with the clients its first request loads).
 */
export const LAMBDA_BUNDLING = {
  target: 'node22',
  minify: false,
  sourceMap: false,
  // Resolve the SDK's ES module builds, which esbuild can tree-shake.
  mainFields: ['module', 'main'],
  externalModules: [] as string[],
  // Some dependencies still call require(); give the ESM bundle one.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
};

/** Each function's memory in MB (Lambda bills GB-seconds of it). */
export const FUNCTION_MEMORY_MB = {
  intake: 256,
  dispatch: 256,
  'answer-http': 512,
  rollup: 1024,
  feedback: 256,
  'follow-up': 256,
  'dashboard-http': 512,
  // a run holds the drawn population in memory: 512 MB is room for about a million customers
  launch: 512,
  erasure: 256,
  // a batch of up to 1,000 stream records, counted in memory and written as a few transactions
  count: 256,
} as const;

export type FunctionName = keyof typeof FUNCTION_MEMORY_MB;

/**
 * Each bundle's size budget in KB (not minified, with the SDK inside; the handler's file and its
 * chunks together, split-build.ts), asserted at synth: what the bundle measured when it was split
 * (issue 19) and about 4 % of room. The budget is not the cold start (the benchmark measures
 * that); it catches a dependency pulled in by accident. Most of every bundle is the SDK (the
 * DynamoDB client and its document client in the handler's file; the SES, EventBridge, S3 and
 * Secrets Manager clients in chunks loaded on first use); the rest is zod (190 KB), luxon's time
 * zones (230 KB where a function needs them), Powertools, the dashboard's OpenID Connect client,
 * and Afterword's own code (140–235 KB).
 */
export const BUNDLE_BUDGET_KB: Record<FunctionName, number> = {
  intake: 2200,
  dispatch: 2260,
  'answer-http': 2125,
  rollup: 2310,
  feedback: 1950,
  'follow-up': 1960,
  'dashboard-http': 2480,
  launch: 2215,
  erasure: 1955,
  count: 2215,
};
