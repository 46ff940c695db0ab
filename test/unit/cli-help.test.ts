import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../lib/cli/main.js';
import { optionsOf } from '../../lib/cli/command.js';
import { COMMANDS } from '../../lib/cli/commands.js';

describe('afterword <command> --help', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err.push(String(chunk));
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it.each(['report', 'customer', 'events', 'dead-letters', 'digest'])(
    'documents --stack for %s (reading a deployed stack)',
    async (command) => {
      expect(await main([command, '--help'])).toBe(0);
      expect(out.join('')).toContain(`afterword ${command}`);
      expect(out.join('')).toContain('--stack NAME');
      expect(out.join('')).toContain('AnalystPolicyArn');
    },
  );

  it('refuses --region or --profile without --stack, naming them', async () => {
    expect(await main(['report', '--region', 'eu-west-1'])).toBe(2);
    expect(err.join('')).toContain('--region and --profile go with --stack');
  });

  it('prints its version', async () => {
    expect(await main(['--version'])).toBe(0);
    expect(out.join('')).toMatch(/^afterword \d+\.\d+\.\d+\n$/);
  });

  it('gives the usage on stderr with exit 2 when no command is named', async () => {
    expect(await main([])).toBe(2);
    expect(err.join('')).toContain('Usage:');
    expect(out.join('')).toBe('');
  });

  it.each([
    [['rollup', '--date', '2026-02-30'], '--date must be a date YYYY-MM-DD, got "2026-02-30"'],
    [['report', '--from', '2026-13-01'], '--from must be a date YYYY-MM-DD, got "2026-13-01"'],
    [['events', '--type', 'Foo'], '--type must be one of "Survey Answered"'],
    [['follow-ups', '--status', 'lost'], '--status must be one of open, contacted'],
    [['report', '--metric', 'vibes'], '--metric must be scores, drivers or follow-up, got "vibes"'],
    [['report', '--nope'], "Unknown option '--nope'"],
  ])('exits 2 on %j, naming the problem, with no stack trace', async (args, message) => {
    expect(await main(args)).toBe(2);
    expect(err.join('')).toContain(message);
    expect(err.join('')).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on a port variable that is no port, naming it', async () => {
    vi.stubEnv('AFTERWORD_BUS_PORT', 'abc');
    try {
      expect(await main(['report'])).toBe(2);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(err.join('')).toContain('AFTERWORD_BUS_PORT must be a port number (0-65535), got "abc"');
  });

  it.each(Object.keys(COMMANDS))(
    'prints help for %s made from the definition its parser uses: every option, nothing else',
    async (command) => {
      expect(await main([command, '--help'])).toBe(0);
      const help = out.join('');
      const spec = COMMANDS[command as keyof typeof COMMANDS];
      for (const flag of Object.keys(optionsOf(spec))) expect(help).toContain(`--${flag}`);
      // The usage lines are written by hand: each flag they name must be one the parser takes.
      const named = spec.usage.flatMap((line) =>
        [...line.matchAll(/--([a-z-]+)/g)].map((m) => m[1]!),
      );
      expect(named.filter((flag) => !(flag in optionsOf(spec)))).toEqual([]);
    },
  );

  it('lists every command in the usage, each with what it does', async () => {
    expect(await main(['help'])).toBe(0);
    for (const command of Object.keys(COMMANDS))
      expect(out.join('')).toContain(`afterword ${command}`);
    expect(out.join('')).toContain('One survey end to end');
  });

  it('exits 2 on an unknown command, naming it', async () => {
    expect(await main(['frobnicate'])).toBe(2);
    expect(err.join('')).toContain('unknown command "frobnicate"');
  });
});
