/**
 * The CLI's own errors, and which errors are the user's to fix. Told apart by name, not class, so
 * the entry point knows them without loading the modules that throw them (the SDK, the config).
 */

/** A problem the user can fix: printed without a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The local stack is not running: nothing wrong with the command line (exit 1). */
export class NotRunningError extends Error {
  override name = 'NotRunningError';
}

/** A problem the user can fix with a deployed stack (a missing stack, output or permission). */
export class StackError extends Error {
  override name = 'StackError';
}

/** The exit code of a command line that cannot run as written (the convention of sysexits/getopt). */
export const USAGE_EXIT = 2;

/** Errors of a command line that cannot run as written: exit 2. */
const USAGE_ERRORS = new Set(['UsageError', 'PortSettingError']);

/** Errors of the world the user can fix (no Java, no stack, a bad config file): exit 1. */
const WORLD_ERRORS = new Set([
  'NotRunningError',
  'ForgetUsageError',
  'ConfigError',
  'JavaMissingError',
  'PortInUseError',
  'StackError',
  'ImportFileError',
  'NotScheduledProgramError',
  'SmokePlanError',
  'SmokeFailedError',
]);

/** node:util parseArgs's own refusals (an unknown option, a missing value). */
function isParseError(error: unknown): boolean {
  return (
    (error instanceof TypeError && error.message.startsWith('Unknown option')) ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true
  );
}

/** The exit code for an error the user can fix, or undefined for a bug (its trace is printed). */
export function exitCodeOf(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  if (USAGE_ERRORS.has(error.name) || isParseError(error)) return USAGE_EXIT;
  if (WORLD_ERRORS.has(error.name)) return 1;
  return undefined;
}
