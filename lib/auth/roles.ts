/**
 * Who may see what on the dashboard, from the groups in the ID token: `cx-lead` sees every
 * touchpoint; `owner` sees the touchpoints whose program names them as owner, in its team or as
 * its escalation (by e-mail address).
 * Anyone else who signs in sees nothing.
 */
import type { AfterwordConfig } from '../config/schema.js';
import type { SignedInClaims } from './oidc.js';

export const ROLES = ['cx-lead', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in user as the dashboard keeps them in the session (no more than it needs). */
export interface DashboardUser {
  sub: string;
  email?: string;
  name?: string;
  roles: Role[];
}

export function userFrom(claims: SignedInClaims): DashboardUser {
  return {
    sub: claims.sub,
    ...(claims.email ? { email: claims.email } : {}),
    ...(claims.name ? { name: claims.name } : {}),
    roles: ROLES.filter((role) => claims.groups.includes(role)),
  };
}

/** The touchpoints a user may see: every one for a CX lead, the owned ones for an owner. */
export function visibleTouchpoints(
  user: DashboardUser,
  config: Pick<AfterwordConfig, 'programs'>,
): Set<string> | 'all' {
  if (user.roles.includes('cx-lead')) return 'all';
  if (!user.roles.includes('owner') || !user.email) return new Set();
  const email = user.email.toLowerCase();
  // The owner, their team, and whom their overdue cases escalate to.
  const answersFor = (owner: AfterwordConfig['programs'][number]['owner']) =>
    [owner.email, ...(owner.team ?? []), ...(owner.escalateTo ? [owner.escalateTo] : [])].map(
      (address) => address.toLowerCase(),
    );
  return new Set(
    config.programs
      .filter((program) => answersFor(program.owner).includes(email))
      .map((program) => program.touchpoint),
  );
}

export function maySee(visible: Set<string> | 'all', touchpoint: string): boolean {
  return visible === 'all' || visible.has(touchpoint);
}
