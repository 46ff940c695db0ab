/** Lambda: the survey web app behind API Gateway (HTTP API). */
import { handle } from 'hono/aws-lambda';
import { runtimeFromEnv } from '../lib/runtime.js';
import { createWebApp } from '../lib/web/app.js';

let app: ReturnType<typeof handle> | undefined;

export const handler: ReturnType<typeof handle> = (event, context) =>
  (app ??= handle(createWebApp(runtimeFromEnv())))(event, context);
