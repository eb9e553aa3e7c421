// Chinese (and mixed Chinese/English) text into search terms. One jieba instance per process, with the
// district's domain dictionary (data/dictionary.txt) so that 磷石膏 or 液晶显示屏 stay whole.
// Documents are cut in search mode (a compound and its parts: 磷石膏 → 石膏, 磷石膏), queries in precise
// mode; the engine then also looks inside longer indexed words (see embedded.ts), so a word inside a longer
// word is found (test/search/contract.ts: 石膏 in 磷石膏, 液晶显示 in 液晶显示屏).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { sourceDir } from '../paths.ts';

let jieba: Jieba | undefined;

function instance(): Jieba {
  if (!jieba) {
    jieba = Jieba.withDict(dict);
    jieba.loadDict(readFileSync(path.join(sourceDir(import.meta.dirname), 'data', 'dictionary.txt')));
  }
  return jieba;
}

/** Full-width letters and digits to half-width, lower case: ＰＣＢ and pcb are the same term. */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

// A term is worth indexing when it has a letter, digit or CJK character; single Latin letters and
// punctuation are not.
const MEANINGFUL = /[\p{Script=Han}]|[a-z0-9]{2,}|\d/u;
const STOP = new Set(['的', '了', '和', '与', '及', '或', '在', '是', '对', '为', '等', '并', '其', '以', '将', '于', '中', '上', '下', '个', '一', '及其', '以及', '我们', '公司', '进行', '可以', '需要', '通过', '目前', '一种', '相关']);

function keep(term: string): boolean {
  return term.trim().length > 0 && MEANINGFUL.test(term) && !STOP.has(term);
}

/** Terms of a document field, with repeats (the engine counts them). */
export function documentTerms(text: string): string[] {
  if (!text) return [];
  return instance()
    .cutForSearch(normalize(text), true)
    .map((t) => t.trim())
    .filter(keep);
}

/** Terms of a query, each once, in order. */
export function queryTerms(text: string): string[] {
  if (!text) return [];
  const terms = instance()
    .cut(normalize(text), true)
    .map((t) => t.trim())
    .filter(keep);
  return [...new Set(terms)];
}

/** The parts of a word in search mode (磷石膏 → 石膏, 磷石膏), for words the index does not hold whole. */
export function partsOf(word: string): string[] {
  return [...new Set(instance().cutForSearch(word, false).filter((t) => keep(t) && t !== word))];
}
