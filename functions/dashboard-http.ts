/** Lambda: the CX dashboard behind sign-in, on the survey API's `/dashboard` routes (HTTP API). */
import { handle } from 'hono/aws-lambda';
import { dependenciesFromEnv, type Need } from '../lib/runtime-env.js';
import { createDashboardApp, WEB_DASHBOARD_APP_USES } from '../lib/web/dashboard-app.js';
import { logInvocation } from '../lib/adapters/log.js';

/** What this function needs beyond the table (its environment must provide it). */
export const NEEDS: Need[] = ['publicBaseUrl', 'dashboard'];

type LambdaHandler = ReturnType<typeof handle>;
let app: Promise<LambdaHandler> | undefined;

export const handler: LambdaHandler = async (event, context) => {
  logInvocation(context);
  app ??= dependenciesFromEnv(NEEDS, WEB_DASHBOARD_APP_USES).then(
    (rt) => handle(createDashboardApp(rt)),
    (error: unknown) => {
      app = undefined; // let the next request try again rather than failing for good
      throw error;
    },
  );
  return (await app)(event, context);
};
