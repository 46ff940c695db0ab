/**
 * How each function is built and sized: plain values, shared by the CDK stack and by the
 * benchmarks (which bundle the same way to measure size and load time, and price the memory).
 */

/** esbuild settings for every function (ESM; the format is set where the CDK enum is at hand). */
export const LAMBDA_BUNDLING = {
  target: 'node22',
  minify: true,
  sourceMap: true,
  // Maps to file and line without the sources' text: Node parses the map at load under
  // --enable-source-maps, and the text tripled its size (measured: -8 ms a cold start).
  sourcesContent: false,
  // The AWS SDK v3 ships with the Lambda runtime, so it is left out of the bundle.
  externalModules: ['@aws-sdk/*'],
  // Some dependencies still call require(); give the ESM bundle one.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
};

/** NODE_OPTIONS every function runs with. */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps';

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
 * Each bundle's size budget in KB (minified, before the source map), asserted at synth. The
 * functions that answer customers and producers keep small for their cold starts: SES feedback
 * and follow-up 250 KB; the survey page, with questionnaires and a deep-dive's sections, 260 KB
 * (every store the shared runtime builds rides along until issue 19 splits it); intake, an
 * asynchronous target nobody waits on that checks the whole programs config at load and the
 * person's consent and erasure (keyed hashes), 270 KB.
 * The scheduled ones carry Powertools Logger and Metrics over luxon's time zones and answer no
 * one waiting: dispatch 285 KB (every function checks the programs config at load, and it grew
 * with tracking and periodic programs); the nightly rollup, which also builds the digest
 * (drivers, follow-up measures) and reads the stream's counters or recomputes from the invitations,
 * 310 KB; a tracking or periodic run (launch), which decides
 * invitations as intake does, 300 KB. The dashboard serves signed-in staff and carries the
 * OpenID Connect client and its JOSE library besides: 400 KB. The erasure, rare and asynchronous,
 * 260 KB. The stream's counting (count), asynchronous, which checks the programs config at load as
 * every function does, 270 KB.
 */
export const BUNDLE_BUDGET_KB: Record<FunctionName, number> = {
  intake: 270,
  dispatch: 285,
  'answer-http': 260,
  rollup: 310,
  feedback: 250,
  'follow-up': 250,
  'dashboard-http': 400,
  launch: 300,
  erasure: 260,
  count: 270,
};
