import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_CONFIG_PATH,
  loadConfig,
  parseConfig,
} from '../../lib/config/load.js';

describe('programs config', () => {
  it('ships an example with the three programs, each with a delay, link expiry and owner', () => {
    const config = loadConfig(DEFAULT_CONFIG_PATH);
    const byTouchpoint = Object.fromEntries(config.programs.map((p) => [p.touchpoint, p]));
    expect(byTouchpoint['support-call']?.metric).toBe('nps');
    expect(byTouchpoint['order-delivered']?.metric).toBe('csat');
    expect(byTouchpoint['chat-closed']?.metric).toBe('ces');
    for (const program of config.programs) {
      expect(program.delay).toMatch(/^P/);
      expect(program.linkExpiry).toMatch(/^P/);
      expect(program.owner.email).toContain('@');
    }
  });

  it('lists every problem of an invalid config by its path', () => {
    const valid = loadConfig(DEFAULT_CONFIG_PATH);
    const broken = structuredClone(valid) as unknown as Record<string, unknown> & {
      programs: Record<string, unknown>[];
    };
    broken.sender = 'nobody';
    broken.timeZone = 'Atlantis/Capital';
    broken.programs[0]!.metric = 'happiness';
    broken.programs[1]!.delay = 'two hours';
    broken.programs[2]!.touchpoint = 'support-call';
    broken.programs[2]!.fallbackLocale = 'fr';
    let error: ConfigError | undefined;
    try {
      parseConfig(broken, 'broken.json');
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const paths = error!.problems.map((p) => p.split(':')[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'sender',
        'timeZone',
        'programs.0.metric',
        'programs.1.delay',
        'programs.2.wording',
      ]),
    );
    expect(error!.message).toContain('broken.json');
  });

  it('reports a duplicate touchpoint and an out-of-range target with the values', () => {
    const config = structuredClone(loadConfig(DEFAULT_CONFIG_PATH));
    config.programs[1]!.touchpoint = 'support-call';
    config.programs[0]!.target = 150;
    expect(() => parseConfig(config)).toThrowError(
      /programs\.1\.touchpoint: duplicate touchpoint "support-call"/,
    );
    expect(() => parseConfig(config)).toThrowError(
      /programs\.0\.target: must be between -100 and 100 for nps, got 150/,
    );
  });

  it('says when the file is not JSON, and where it is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'afterword-config-'));
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{ "brand": ');
    expect(() => loadConfig(path)).toThrowError(new RegExp(`${path}[\\s\\S]*not valid JSON`));
    expect(() => loadConfig(join(dir, 'missing.json'))).toThrowError(/cannot read the file/);
  });
});

describe('program settings', () => {
  const broken = (change: (program: Record<string, unknown>) => void) => {
    const config = structuredClone(loadConfig(DEFAULT_CONFIG_PATH)) as unknown as {
      programs: Record<string, unknown>[];
    };
    change(config.programs[0]!);
    return () => parseConfig(config);
  };

  it('refuses a follow-up threshold off the metric scale, a bad send window and a sampling rate above 1', () => {
    expect(broken((p) => (p.followUpThreshold = 11))).toThrowError(
      /programs\.0\.followUpThreshold: must be a score from 0 to 10 for nps, got 11/,
    );
    expect(broken((p) => (p.sendWindow = { start: '9am', end: '20:00' }))).toThrowError(
      /programs\.0\.sendWindow\.start/,
    );
    expect(broken((p) => (p.sendWindow = { start: '09:00', end: '09:00' }))).toThrowError(
      /leave the window out/,
    );
    expect(broken((p) => (p.sampling = 1.5))).toThrowError(/programs\.0\.sampling/);
    expect(broken((p) => (p.maxLateness = 'a while'))).toThrowError(/programs\.0\.maxLateness/);
  });

  it('defaults the contact rules to a 30-day global cool-down and 4 surveys per 90 days', () => {
    const config = structuredClone(loadConfig(DEFAULT_CONFIG_PATH)) as unknown as Record<
      string,
      unknown
    >;
    delete config.contactRules;
    expect(parseConfig(config).contactRules).toEqual({
      globalCoolDown: 'P30D',
      cap: { max: 4, period: 'P90D' },
    });
  });
});
