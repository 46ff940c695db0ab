/**
 * Structured JSON log lines through Powertools for AWS Lambda (Logger): on Lambda each line
 * carries the request id (after `logInvocation(context)`), the X-Ray trace id, the function's name
 * and cold start, and honours Lambda's log-level controls (AWS_LAMBDA_LOG_LEVEL). Callers pass
 * ids and counts only: never emails, names or comments.
 * LOG_LEVEL=debug|info|warn|error|silent (default info), read at each line, so the CLI and the
 * benchmarks can change it after this module has loaded.
 */
import { Logger } from '@aws-lambda-powertools/logger';

const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;
type Level = (typeof LEVELS)[number];

let logger: Logger | undefined;
let appliedLevel: Level | undefined;

function instance(): Logger {
  logger ??= new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'afterword' });
  const wanted = (process.env.LOG_LEVEL ?? 'info').toUpperCase() as Level;
  if (wanted !== appliedLevel && LEVELS.includes(wanted)) {
    // Lambda's own level (AWS_LAMBDA_LOG_LEVEL), when set, wins inside Powertools.
    logger.setLogLevel(wanted);
    appliedLevel = wanted;
  }
  return logger;
}

/** What a Lambda invocation's context gives the log lines that follow (its request id). */
export interface InvocationContext {
  awsRequestId: string;
  functionName: string;
  functionVersion?: string;
  invokedFunctionArn?: string;
  memoryLimitInMB?: string | number;
}

/** Called by each Lambda handler first: the lines of this invocation carry its request id. */
export function logInvocation(context: InvocationContext | undefined): void {
  if (!context?.awsRequestId) return;
  instance().addContext(context);
}

type Fields = Record<string, unknown>;

export const log = {
  debug: (message: string, fields?: Fields) => instance().debug(message, fields ?? {}),
  info: (message: string, fields?: Fields) => instance().info(message, fields ?? {}),
  warn: (message: string, fields?: Fields) => instance().warn(message, fields ?? {}),
  error: (message: string, fields?: Fields) => instance().error(message, fields ?? {}),
};
