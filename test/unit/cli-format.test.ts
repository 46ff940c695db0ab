/** What the CLI prints of customers' text: never a terminal escape sequence, a bell or a newline. */
import { describe, expect, it } from 'vitest';
import { columns, printable } from '../../lib/cli/format.js';

const hostile = 'Great\u001b[2J\u001b]0;pwned\u0007 service\r\nrm -rf\u009b31m';

describe('printed user text', () => {
  it('has every control character replaced, C1 included, and keeps the rest', () => {
    const shown = printable(hostile);
    // eslint-disable-next-line no-control-regex -- what must not be left
    expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(shown).toContain('Great');
    expect(shown).toContain('[2J');
    expect(shown).toContain('service');
    expect(printable('Ça va — très bien 👍')).toBe('Ça va — très bien 👍');
  });

  it('keeps columns aligned and clean whatever a cell holds', () => {
    const table = columns([
      { invitation: 'a1', comment: hostile },
      { invitation: 'b2', comment: 'fine' },
    ]);
    // eslint-disable-next-line no-control-regex -- what must not be left
    expect(table.replaceAll('\n', '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    // a header, its rule, and one line per row: no cell broke a line
    expect(table.trimEnd().split('\n')).toHaveLength(4);
  });
});
