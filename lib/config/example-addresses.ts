/**
 * Addresses still on the placeholder domains of the shipped example (RFC 2606/6761: example.com,
 * .example, .test, .invalid, localhost): a deploy with them sends surveys from, and owners' and
 * leads' mail to, addresses nobody reads. Found anywhere in the config, so that a field added later
 * (an escalation address, a team's list) is covered without being named here.
 */
const EMAIL = /^[^@\s]+@([^@\s]+)$/;
const PLACEHOLDER_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/i;

export interface ExampleAddress {
  /** Where it sits in the config, e.g. `programs[0].owner.email`. */
  path: string;
  address: string;
}

export function isPlaceholderAddress(address: string): boolean {
  const domain = EMAIL.exec(address)?.[1];
  return domain !== undefined && PLACEHOLDER_DOMAIN.test(domain);
}

export function exampleAddresses(value: unknown, path = ''): ExampleAddress[] {
  if (typeof value === 'string')
    return isPlaceholderAddress(value) ? [{ path, address: value }] : [];
  if (Array.isArray(value))
    return value.flatMap((item, index) => exampleAddresses(item, `${path}[${index}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) =>
      key === '$schema' ? [] : exampleAddresses(item, path ? `${path}.${key}` : key),
    );
  }
  return [];
}
