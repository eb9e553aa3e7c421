// GET /api/v1/vocabulary: every code list the API takes or answers (index.ts, the responsible units and the
// target indicators), each code with the Chinese label pages show for it. Integrators send codes and show labels.
import { Router, type RequestHandler } from 'express';
import { INDICATORS } from '../targets/indicators.ts';
import { units, vocabularies, vocabularyTitles, type VocabularyName } from './index.ts';

export interface CodeList {
  name: string;
  title: string;
  codes: { code: string; label: string }[];
}

export function codeLists(): CodeList[] {
  return [
    ...(Object.keys(vocabularies) as VocabularyName[]).map((name) => ({
      name,
      title: vocabularyTitles[name],
      codes: Object.entries(vocabularies[name].labels as Record<string, string>).map(([code, label]) => ({ code, label })),
    })),
    { name: 'indicator', title: '目标指标', codes: INDICATORS.map((i) => ({ code: i.code, label: i.label })) },
    { name: 'unit', title: '责任单位（代码即名称）', codes: units.map((u) => ({ code: u, label: u })) },
  ];
}

/** The code list whose codes are exactly these values (for the API documentation's enum notes), if any. */
export function codeListOf(values: readonly string[]): CodeList | undefined {
  const wanted = [...values].sort().join('\n');
  return codeLists().find((list) => list.codes.map((c) => c.code).sort().join('\n') === wanted);
}

const list: RequestHandler = (_req, res) => {
  res.set('Cache-Control', 'public, max-age=300').json({ items: codeLists() });
};

export default function vocabularyRoutes(): Router {
  const r = Router();
  r.get('/api/v1/vocabulary', list);
  return r;
}
