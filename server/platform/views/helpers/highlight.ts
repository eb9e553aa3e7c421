import Handlebars from 'handlebars';

/**
 * {{highlight text terms}} — the text escaped, with each occurrence of a term wrapped in <mark>.
 * Escaping happens before marking, so user text can never inject markup.
 */
export function highlight(text: unknown, terms: unknown): Handlebars.SafeString {
  const plain = typeof text === 'string' ? text : '';
  const list = (Array.isArray(terms) ? terms : []).filter((t): t is string => typeof t === 'string' && t.length > 0);
  if (!list.length) return new Handlebars.SafeString(Handlebars.escapeExpression(plain));
  const sorted = [...new Set(list)].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(sorted.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');
  let out = '';
  let last = 0;
  for (const m of plain.matchAll(pattern)) {
    out += Handlebars.escapeExpression(plain.slice(last, m.index));
    out += `<mark>${Handlebars.escapeExpression(m[0])}</mark>`;
    last = m.index + m[0].length;
  }
  out += Handlebars.escapeExpression(plain.slice(last));
  return new Handlebars.SafeString(out);
}
