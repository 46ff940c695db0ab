import type { Context } from 'hono';
import { messagePage } from './dashboard.js';

/** The dashboard's answer to a signed-in user asking for a touchpoint that is not theirs. */
export function forbidden(c: Context) {
  return c.html(
    messagePage(
      'Not yours to see',
      'This touchpoint belongs to another owner. Ask a CX lead if you need it.',
      { href: '/dashboard', label: 'Back to your dashboard' },
    ),
    403,
  );
}
