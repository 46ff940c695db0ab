/**
 * A client, or how to get one when first needed: the adapters load an SDK module with its first
 * call, so a function that never makes that call does not pay for loading it at cold start.
 */
export type Lazy<C> = C | (() => Promise<C>);

export function lazily<C extends object>(client: Lazy<C>): () => Promise<C> {
  if (typeof client !== 'function') return () => Promise.resolve(client);
  let made: Promise<C> | undefined;
  return () => {
    made ??= client();
    made.catch(() => (made = undefined));
    return made;
  };
}
