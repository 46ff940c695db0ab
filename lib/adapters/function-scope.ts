/**
 * Which Lambda function's code is running. On AWS each process is one function; locally every
 * handler shares one process, so the handler adapters set this scope around their work. Logs and
 * the test suite's permission contract (which AWS calls each function makes) read it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The stack's functions, by the names the CDK stack gives them; `analyst`, the CLI reading a
 * deployed stack (`--stack`) with the stack's analyst policy; `privacy`, the CLI requesting an
 * erasure (`forget --stack`) with the stack's privacy policy; and `operator`, the CLI replaying
 * dead letters and smoke-testing (`dead-letters --replay`, `smoke`) with the operator policy.
 */
export type FunctionName =
  | 'intake'
  | 'dispatch'
  | 'answer'
  | 'rollup'
  | 'feedback'
  | 'follow-up'
  | 'dashboard'
  | 'launch'
  | 'erasure'
  | 'count'
  | 'analyst'
  | 'privacy'
  | 'operator';

/** The functions the stack deploys (the CLI's policies are not functions). */
export type DeployedFunctionName = Exclude<FunctionName, 'analyst' | 'privacy' | 'operator'>;

const scope = new AsyncLocalStorage<FunctionName>();

/** Runs `work` as the function `name` (and everything it awaits, through async context). */
export function inFunction<T>(name: FunctionName, work: () => T): T {
  return scope.run(name, work);
}

/** The function whose code is running, if a handler set it. */
export function currentFunction(): FunctionName | undefined {
  return scope.getStore();
}

/**
 * Runs a use case as the function that owns it, unless a handler already set the scope: the local
 * stack, the CLI and the tests call use cases directly, and their AWS calls still belong to that
 * function (for the logs and for the permission contract, which checks every recorded call).
 */
export function asFunction<T>(name: FunctionName, work: () => T): T {
  return scope.getStore() ? work() : scope.run(name, work);
}
