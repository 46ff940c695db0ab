import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contrastRatio, formatRatio } from '../../lib/domain/colour.js';
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

describe('languages, branding and placeholders', () => {
  const shipped = () =>
    structuredClone(loadConfig(DEFAULT_CONFIG_PATH)) as unknown as Record<string, unknown> & {
      branding?: Record<string, unknown>;
      programs: { wording: Record<string, Record<string, unknown>> }[];
    };
  const problemsOf = (config: unknown): string[] => {
    try {
      parseConfig(config, 'test.json');
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it('ships every program in English and German', () => {
    for (const program of loadConfig(DEFAULT_CONFIG_PATH).programs) {
      expect(Object.keys(program.wording).sort(), program.touchpoint).toEqual(['de', 'en']);
    }
  });

  it('keeps parsing a config from before branding: the brand a plain string, the sender bare', () => {
    const old = shipped();
    delete old.branding;
    for (const program of old.programs) {
      for (const wording of Object.values(program.wording)) delete wording.interaction;
    }
    const parsed = parseConfig(old);
    expect(parsed.brand).toBe('Acme');
    expect(parsed.sender).toBe('surveys@acme.example');
    expect(parsed.branding).toEqual({});
  });

  it('parses the right-to-left fixture with its logo and accent colour', () => {
    const parsed = loadConfig(
      fileURLToPath(new URL('../fixtures/config/branded-rtl.config.json', import.meta.url)),
    );
    expect(parsed.branding).toMatchObject({
      logoUrl: 'https://assets.acme.example/logo.png',
      accentColor: '#0f766e',
    });
    expect(Object.keys(parsed.programs[0]!.wording)).toContain('ar');
  });

  it('takes only an https logo URL, and says why', () => {
    for (const logoUrl of [
      'http://assets.acme.example/logo.png',
      'javascript:alert(1)',
      'data:image/png;base64,iVBORw0KGgo=',
      '//assets.acme.example/logo.png',
      'logo.png',
      'https://user:secret@assets.acme.example/logo.png',
    ]) {
      const config = shipped();
      config.branding = { logoUrl };
      expect(problemsOf(config), logoUrl).toEqual([
        'branding.logoUrl: must be an https:// URL (mail clients and browsers block or flag images over http)',
      ]);
    }
    const good = shipped();
    good.branding = { logoUrl: 'https://assets.acme.example/logo.png?v=2' };
    expect(problemsOf(good)).toEqual([]);
  });

  it('refuses an accent colour under WCAG AA contrast against white, with the ratio', () => {
    const config = shipped();
    config.branding = { accentColor: '#3b82f6' };
    expect(problemsOf(config)).toEqual([
      'branding.accentColor: #3b82f6 has a contrast of 3.67:1 against white (the email and page behind scores and links); WCAG AA needs 4.5:1, so pick a darker shade',
    ]);
    config.branding = { accentColor: '#ffcc00', accentTextColor: '#000000' };
    expect(problemsOf(config)).toEqual([
      expect.stringMatching(
        /^branding\.accentColor: #ffcc00 has a contrast of 1\.5\d?:1 against white/,
      ),
    ]);
    config.branding = { accentColor: '#1d4ed8' };
    expect(problemsOf(config)).toEqual([]);
  });

  it('measures contrast as WCAG 2 does: #767676 is the lightest grey that passes AA on white', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBe(21);
    expect(contrastRatio('#767676', '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio('#777777', '#ffffff')).toBeLessThan(4.5);
    expect(contrastRatio('#ffffff', '#767676')).toBe(contrastRatio('#767676', '#ffffff'));
    expect(formatRatio(4.4999)).toBe('4.49:1'); // rounded down: never shown as passing
  });

  it('refuses text on the accent under WCAG AA contrast, and a colour that is not #rrggbb', () => {
    const config = shipped();
    config.branding = { accentColor: '#1d4ed8', accentTextColor: '#60a5fa' };
    expect(problemsOf(config)).toEqual([
      'branding.accentTextColor: #60a5fa has a contrast of 2.63:1 against the accent #1d4ed8 it is written on; WCAG AA needs 4.5:1',
    ]);
    config.branding = { accentColor: 'blue' };
    expect(problemsOf(config)).toEqual([
      'branding.accentColor: must be a colour written "#rrggbb", such as "#1d4ed8"',
    ]);
  });

  it('refuses a sender name that would break the From header', () => {
    const config = shipped();
    config.branding = { senderName: 'Acme\r\nBcc: victim@example.com' };
    expect(problemsOf(config)).toEqual(['branding.senderName: must be one line of text']);
  });

  it('names the program, locale and placeholder of an unknown placeholder', () => {
    const config = shipped();
    config.programs[1]!.wording.de!.interaction = [
      'Zu Bestellung {attributes.orderId}.',
      'Zu Ihrer Bestellung vom {datum}.',
    ];
    config.programs[0]!.wording.en!.interaction = 'About {attributes.} on {Date}.';
    config.programs[0]!.wording.en!.subject = 'Hi {name}, how did we do?';
    expect(problemsOf(config)).toEqual([
      'programs.0.wording.en.subject: unknown placeholder {name} in program "support-call", locale "en": subject may use {brand}',
      'programs.0.wording.en.interaction: unknown placeholder {attributes.} in program "support-call", locale "en": interaction may use {brand}, {touchpoint}, {channel}, {date}, {attributes.<name>}',
      'programs.0.wording.en.interaction: unknown placeholder {Date} in program "support-call", locale "en": interaction may use {brand}, {touchpoint}, {channel}, {date}, {attributes.<name>}',
      'programs.1.wording.de.interaction.1: unknown placeholder {datum} in program "order-delivered", locale "de": interaction may use {brand}, {touchpoint}, {channel}, {date}, {attributes.<name>}',
    ]);
  });
});

describe('tracking and periodic programs in the config', () => {
  function problemsOf(change: (programs: Record<string, unknown>[]) => void): string[] {
    const config = structuredClone(loadConfig(DEFAULT_CONFIG_PATH)) as unknown as {
      programs: Record<string, unknown>[];
    };
    change(config.programs);
    try {
      parseConfig(config, 'test.json');
    } catch (error) {
      return (error as ConfigError).problems;
    }
    return [];
  }

  it('ships a monthly tracking program that loads', () => {
    const tracking = loadConfig(DEFAULT_CONFIG_PATH).programs.find((p) => p.kind === 'tracking')!;
    expect(tracking).toMatchObject({
      touchpoint: 'relationship',
      schedule: { frequency: 'monthly', day: 'mon', week: 'first', time: '10:00' },
      sample: { targetMargin: 5 },
    });
  });

  it('names what a scheduled program lacks, and what an event program must not have', () => {
    const problems = problemsOf((programs) => {
      const tracking = programs[3]!;
      delete tracking.schedule;
      delete tracking.sample;
      tracking.spreadOver = 'P2D';
      programs[0]!.population = { seenWithinDays: 30 };
      programs[1]!.kind = 'periodic';
      programs[1]!.schedule = { frequency: 'fortnightly' };
      programs[2]!.kind = 'periodic';
      programs[2]!.schedule = { frequency: 'quarterly', week: 'fifth' };
      programs[2]!.sample = { targetMargin: 5 };
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'programs.3.schedule: a tracking program needs a schedule, such as { "frequency": "monthly", "day": "mon", "week": "first", "time": "10:00" }',
        'programs.3.sample: a tracking program needs a sample, such as { "targetMargin": 5 }',
        'programs.3.spreadOver: must be at most a day ("PT24H"): a run schedules its sends within the next day',
        'programs.0.population: only a tracking or periodic program has a population: set "kind"',
        expect.stringMatching(/^programs\.1\.schedule\.frequency: /),
        expect.stringMatching(/^programs\.2\.schedule\.week: /),
      ]),
    );
    const periodic = problemsOf((programs) => {
      programs[2]!.kind = 'periodic';
      programs[2]!.schedule = { frequency: 'quarterly' };
      programs[2]!.sample = { targetMargin: 5 };
    });
    expect(periodic).toEqual([
      'programs.2.sample: a periodic program asks its whole population: leave sample out, or make it a tracking program',
    ]);
  });
});
