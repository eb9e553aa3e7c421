// Search: the search page (with facets; as-you-type through an HTML fragment), GET /api/v1/search, and the
// organizer's index status page with a rebuild.
import { Router, type RequestHandler } from 'express';
import { organizerOnly } from '../platform/auth/guards.ts';
import { pager } from '../platform/http/pager.ts';
import { indexVersion, visitorPages } from '../platform/http/visitor-pages.ts';
import { parse } from '../platform/http/validate.ts';
import { Unavailable } from '../platform/errors.ts';
import type { SearchIndex } from '../platform/search/port.ts';
import type { SearchSync } from '../platform/search/sync.ts';
import { labelOf, optionsOf, type VocabularyName } from '../vocabulary/index.ts';
import { searchApiBody, searchParams, searchRecords } from './service.ts';

const KIND_LABELS: Record<string, string> = { demand: '技术需求', result: '科技成果', expert: '专家', broker: '技术经纪人' };
const FACET_VOCABULARY: Record<string, VocabularyName | undefined> = { industry: 'industry', town: 'town', maturity: 'maturity', status: 'demandStatus' };

function indexOf(req: Parameters<RequestHandler>[0]): SearchIndex {
  const index = req.app.locals.search as SearchIndex | undefined;
  if (!index) throw new Unavailable('搜索服务暂不可用。');
  return index;
}

const page: RequestHandler = async (req, res) => {
  const params = parse(searchParams, req.query);
  const result = await searchRecords(indexOf(req), req.user, params);
  const facets = Object.entries(result.facets).map(([attr, counts]) => ({
    attr,
    title: { kind: '类型', industry: '行业', town: '乡镇', maturity: '成熟度', status: '状态' }[attr] ?? attr,
    selected: (params as Record<string, unknown>)[attr],
    values: Object.entries(counts ?? {}).map(([value, count]) => ({
      value,
      count,
      label: attr === 'kind' ? KIND_LABELS[value] : FACET_VOCABULARY[attr] ? labelOf(FACET_VOCABULARY[attr]!, value) : value,
    })),
  }));
  const locals = {
    title: params.q ? `搜索：${params.q}` : '搜索',
    section: 'search',
    params,
    result,
    facets,
    pager: pager(result),
    // how many of the folded filters are set, shown on the 筛选 button (views/search/index.hbs)
    filterCount: (['kind', 'industry', 'town', 'sort'] as const).filter((k) => !!(params as Record<string, unknown>)[k]).length,
    kindOptions: Object.entries(KIND_LABELS).map(([value, label]) => ({ value, label })),
    industryOptions: optionsOf('industry'),
    townOptions: optionsOf('town'),
    sortOptions: [
      { value: 'newest', label: '最新' },
      { value: 'budget', label: '预算从高到低' },
      { value: 'price', label: '报价从低到高' },
    ],
  };
  if (req.query.fragment === '1') {
    // The fragment's links (facets, pages) lead to the page, not to another fragment.
    const { fragment: _fragment, ...query } = req.query;
    return res.render('search/results', { ...locals, query, layout: false });
  }
  res.render('search/index', locals);
};

const api: RequestHandler = async (req, res) => {
  const params = parse(searchParams, req.query);
  const { body, etag } = await searchApiBody(indexOf(req), req.user, params);
  if (etag) res.set('ETag', etag); // Express answers 304 to a matching If-None-Match either way
  res.type('json').send(body);
};

const status: RequestHandler = async (req, res) => {
  const sync = req.app.locals.searchSync as SearchSync | undefined;
  const health = await indexOf(req).health();
  res.set('Cache-Control', 'no-store');
  res.render('search/status', { title: '搜索索引', section: 'admin', health, backlog: sync?.backlog ?? 0, lastError: sync?.lastError, rebuilding: sync?.rebuilding });
};

const reindex: RequestHandler = async (req, res) => {
  const sync = req.app.locals.searchSync as SearchSync | undefined;
  if (!sync) throw new Unavailable('搜索同步未启动。');
  const started = sync.startReindex(req.log);
  req.flash(started ? 'success' : 'info', started ? '已开始重建索引，期间搜索照常可用。' : '索引正在重建中。');
  res.redirect(303, '/admin/search');
};

const apiReindex: RequestHandler = async (req, res) => {
  const sync = req.app.locals.searchSync as SearchSync | undefined;
  if (!sync) throw new Unavailable('搜索同步未启动。');
  res.json(await sync.reindex());
};

export default function searchRoutes(): Router {
  const r = Router();
  r.get('/search', visitorPages(indexVersion), page);
  r.get('/api/v1/search', api);
  r.get('/admin/search', organizerOnly, status);
  r.post('/admin/search/reindex', organizerOnly, reindex);
  r.post('/api/v1/search/reindex', organizerOnly, apiReindex);
  return r;
}
