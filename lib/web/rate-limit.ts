/**
 * A per-client request limit for the local server (on AWS, API Gateway's stage throttling does
 * this job): a fixed window per client key, kept in memory, old windows dropped as they pass.
 */
import type { Context, MiddlewareHandler } from 'hono';

export interface RateLimitOptions {
  /** Requests a client may make per window. */
  requests: number;
  windowMs: number;
  /** Who the client is, e.g. the socket's remote address. */
  clientKey: (c: Context) => string;
  /** The response once a client is over its limit. */
  onLimited: (c: Context) => Response | Promise<Response>;
  now?: () => number;
}

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const now = options.now ?? (() => Date.now());
  const windows = new Map<string, { startedAt: number; count: number }>();
  return async (c, next) => {
    const at = now();
    const key = options.clientKey(c);
    let window = windows.get(key);
    if (!window || at - window.startedAt >= options.windowMs) {
      if (windows.size > 10_000) {
        for (const [k, w] of windows) if (at - w.startedAt >= options.windowMs) windows.delete(k);
      }
      window = { startedAt: at, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    if (window.count > options.requests) {
      c.header('Retry-After', String(Math.ceil((window.startedAt + options.windowMs - at) / 1000)));
      return options.onLimited(c);
    }
    await next();
  };
}
