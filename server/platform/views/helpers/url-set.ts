import { urlWith } from './url-with.ts';

/**
 * {{urlSet "/search" query name value}} — like urlWith, for a parameter whose name is itself a value
 * (facet links); an empty value removes the parameter. Back to page 1.
 */
export function urlSet(path: unknown, query: unknown, name: unknown, value: unknown): string {
  return urlWith(path, query, { hash: { [String(name)]: value ?? '' } });
}
