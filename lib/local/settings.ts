/**
 * The local stack's settings: its names, its ports (each overridable by its environment variable)
 * and its keys. Light on purpose: the CLI's one-shot commands read these without loading the stack.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsentKeySource } from '../store/suppressions.js';

export const LOCAL_BUS_NAME = 'afterword';
export const LOCAL_REGION = 'us-east-1';
export const DEFAULT_TABLE = 'afterword';

export const DEFAULT_PORTS = { dynamodb: 8000, ses: 8005, bus: 4010, web: 3000, oidc: 4011 };

/** A port variable that is not a port: the user's to fix. */
export class PortSettingError extends Error {
  override name = 'PortSettingError';
}

/** Local ports, each overridable by its environment variable. */
export function portsFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const port = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > 65535) {
      throw new PortSettingError(`${name} must be a port number (0-65535), got "${raw}"`);
    }
    return value;
  };
  return {
    dynamodb: port('AFTERWORD_DYNAMODB_PORT', DEFAULT_PORTS.dynamodb),
    ses: port('AFTERWORD_SES_PORT', DEFAULT_PORTS.ses),
    bus: port('AFTERWORD_BUS_PORT', DEFAULT_PORTS.bus),
    web: port('AFTERWORD_WEB_PORT', DEFAULT_PORTS.web),
    oidc: port('AFTERWORD_OIDC_PORT', DEFAULT_PORTS.oidc),
  };
}

/**
 * A secret of the local stack: the environment variable when set, else a random secret kept in the
 * data dir, so it survives a restart; a fresh one per process without a data dir.
 */
function localSecret(dataDir: string | undefined, file: string, variable: string): string {
  let secret = process.env[variable];
  if (!secret && dataDir) {
    const path = join(dataDir, file);
    if (!existsSync(path)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o600 });
    }
    secret = readFileSync(path, 'utf8').trim();
  }
  return secret ?? randomBytes(32).toString('base64url');
}

/** The link-signing key locally, kept so links in old emails keep working after a restart. */
export function localSigningKeys(dataDir: string | undefined) {
  return {
    activeKeyId: 'local1',
    keys: { local1: localSecret(dataDir, 'link-secret', 'AFTERWORD_LINK_SECRET') },
  };
}

/** The consent key locally (Secrets Manager's on AWS): kept, or every opt-out would be lost. */
export function localConsentKey(dataDir: string | undefined): ConsentKeySource {
  const key = localSecret(dataDir, 'consent-key', 'AFTERWORD_CONSENT_KEY');
  return { load: () => Promise.resolve(key) };
}
