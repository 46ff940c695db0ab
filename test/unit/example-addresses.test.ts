import { describe, expect, it } from 'vitest';
import { exampleAddresses, isPlaceholderAddress } from '../../lib/config/example-addresses.js';

describe('placeholder addresses', () => {
  it.each([
    ['surveys@acme.example', true],
    ['a@example.com', true],
    ['a@mail.example.org', true],
    ['a@shop.test', true],
    ['a@x.invalid', true],
    ['ops@localhost', true],
    ['ops@acme.com', false],
    ['ops@example-corp.com', false],
    ['ops@examples.com', false],
    ['not an address', false],
  ])('%s -> %s', (address, placeholder) => {
    expect(isPlaceholderAddress(address)).toBe(placeholder);
  });

  it('are found at any depth and named by path, whatever the field', () => {
    expect(
      exampleAddresses({
        sender: 'surveys@acme.example',
        $schema: 'x@example.com',
        programs: [{ owner: { emails: ['a@acme.com', 'b@acme.example'] } }],
      }),
    ).toEqual([
      { path: 'sender', address: 'surveys@acme.example' },
      { path: 'programs[0].owner.emails[1]', address: 'b@acme.example' },
    ]);
  });
});
