/** {{#if (or a b c)}} — the first truthy argument, else false. */
export function or(...args: unknown[]): unknown {
  return args.slice(0, -1).find(Boolean) ?? false;
}
