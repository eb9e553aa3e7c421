// Synonym groups (data/synonyms.json): industry abbreviations and common names a searcher treats as one
// thing (PCB / 印制电路板 / 线路板, LCD / 液晶 …). Used by both search adapters.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normalize } from './tokenizer.ts';
import { sourceDir } from '../paths.ts';

export const synonymGroups: string[][] = (JSON.parse(readFileSync(path.join(sourceDir(import.meta.dirname), 'data', 'synonyms.json'), 'utf8')) as string[][]).map(
  (group) => [...new Set(group.map(normalize))],
);

/** each term's other names, worked out once (the index asks for them per query word, matching per keyword) */
const others = new Map<string, readonly string[]>();
for (const group of synonymGroups) for (const term of group) others.set(term, Object.freeze(group.filter((t) => t !== term)));
const NONE: readonly string[] = Object.freeze([]);

/** The other names of a term (not the term itself). Shared: never changed. */
export function synonymsOf(term: string): readonly string[] {
  return others.get(term) ?? NONE;
}
