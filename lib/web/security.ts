/**
 * What every page Afterword serves carries (the survey pages and the dashboard): a strict
 * Content-Security-Policy (no script at all), no referrer, no framing, no caching; and the check
 * that refuses a POST another site's page made the browser send.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * The security headers. `formActions`: origins a form may post to besides our own (a form's POST
 * that ends in a redirect elsewhere, such as signing out at the identity provider, needs it).
 * `images`: origins images may load from besides our own (the brand's logo).
 */
export function securityHeaders(
  allow: { formActions?: string[]; images?: string[] } = {},
): MiddlewareHandler {
  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", ...(allow.images ?? [])],
      formAction: ["'self'", ...(allow.formActions ?? [])],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    referrerPolicy: 'no-referrer',
    xContentTypeOptions: 'nosniff',
    xFrameOptions: 'DENY',
  });
  return async (c, next) => {
    await headers(c, async () => {
      await next();
      c.header('Cache-Control', 'no-store');
    });
  };
}

/**
 * Whether a POST comes from another site's page. Browsers say so in Sec-Fetch-Site; older ones
 * give an Origin, which is "null" for our own form because the page sets no-referrer. A POST with
 * neither (a mail provider's RFC 8058 one-click request) is not a browser's cross-site request.
 */
export function isCrossSite(c: Context, publicOrigin: string): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site) return site === 'cross-site' || site === 'same-site';
  const origin = c.req.header('origin');
  return origin !== undefined && origin !== 'null' && origin !== publicOrigin;
}
