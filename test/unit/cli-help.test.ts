import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../lib/cli/main.js';

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
    expect(await main(['report', '--region', 'eu-west-1'])).toBe(1);
    expect(err.join('')).toContain('--region and --profile go with --stack');
  });
});
