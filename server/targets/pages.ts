// Target pages: the dashboard (organizers) and public board (everyone else) at /targets, the drill-down
// behind each figure, the breakdown table on the record kit, manual entries with evidence, and the ledger
// export. The API twins return the same figures.
import type { RequestHandler } from 'express';
import { isOrganizer, type Actor } from '../platform/auth/actor.ts';
import type { RecordDef } from '../platform/http/crud.ts';
import { renderInvalid } from '../platform/http/forms.ts';
import { idParam } from '../platform/http/params.ts';
import { pager } from '../platform/http/pager.ts';
import { parse } from '../platform/http/validate.ts';
import { Invalid } from '../platform/errors.ts';
import { currentYear, monthOf } from '../platform/time.ts';
import { town, units } from '../vocabulary/index.ts';
import { cumulativeChart, horizontalBars, progressBar } from './charts.ts';
import { formatValue, indicator, INDICATORS } from './indicators.ts';
import { ledgerWorkbook } from './ledger.ts';
import { targetExport } from './import.ts';
import { entryInput, progressQuery, recordsQuery, targetInput, targetPatch, targetQuery, type ProgressQuery, type TargetInput, type TargetQuery } from './schema.ts';
import {
  addEntry,
  allTargets,
  byTown,
  contractMonths,
  evidence,
  getEntry,
  listEntries,
  progress,
  recordsBehind,
  removeEntry,
  STATUS_LABELS,
  STATUS_ORDER,
  statusRules,
  targets,
  type ProgressItem,
  type Status,
  type TargetView,
} from './service.ts';
import { clock } from '../platform/clock.ts';
import { targetPolicy } from './policy.ts';
import { keptBodies, sendWithKeptBody } from '../platform/http/kept-body.ts';

const scopeOptions = () => [
  { value: 'district', label: '全区' },
  ...town.keys.map((code) => ({ value: code, label: town.labels[code] })),
  ...units.map((u) => ({ value: u, label: u })),
];
const indicatorOptions = (manualOnly = false) => INDICATORS.filter((i) => !manualOnly || i.source === 'manual').map((i) => ({ value: i.code, label: `${i.label}（${i.format === 'money' ? '万元' : i.unit}）` }));

/** Forms take money in 万元; the schemas take 元. */
function moneyFromForm(body: Record<string, unknown>, field: string): unknown {
  const ind = typeof body.indicator === 'string' ? indicator(body.indicator) : undefined;
  const v = body[field];
  if (ind?.format !== 'money' || typeof v !== 'string' || v.trim() === '') return v;
  const n = Number(v.trim().replace(/,/g, ''));
  return Number.isFinite(n) ? Math.round(n * 1e4) : v;
}

const SEVERITY = Object.fromEntries(STATUS_ORDER.map((s, i) => [s, i])) as Record<Status, number>;

function yearOptions(year: number) {
  const now = currentYear();
  const from = Math.min(2021, year);
  return Array.from({ length: now + 1 - from + 1 }, (_, i) => from + i)
    .reverse()
    .map((y) => ({ value: String(y), label: `${y}年` }));
}

function decorate(item: ProgressItem, organizer: boolean) {
  return {
    ...item,
    bar: progressBar(item.ratio, item.expected, item.status),
    percent: Math.round(item.ratio * 1000) / 10,
    expectedPercent: Math.round(item.expected * 100),
    signedText: item.signed !== undefined ? formatValue(indicator(item.indicator)!, item.signed) : undefined,
    pendingText: organizer && item.pending ? formatValue(indicator(item.indicator)!, item.pending) : undefined,
    directionText:
      item.absorb !== undefined && item.actual > 0
        ? `吸纳 ${formatValue(indicator(item.indicator)!, item.absorb ?? 0)} · 输出 ${formatValue(indicator(item.indicator)!, item.export ?? 0)}`
        : undefined,
    drill: organizer ? `/targets/records?indicator=${item.indicator}&from=${item.counted.from}&to=${item.counted.to}&scope=${encodeURIComponent(item.scope)}` : undefined,
  };
}

async function dashboardLocals(q: ProgressQuery, organizer: boolean) {
  const { year, items, figures } = await progress({ ...q, scope: q.scope || undefined });
  const ordered = [...items].sort((a, b) => SEVERITY[a.status] - SEVERITY[b.status]);
  const summary = STATUS_ORDER.map((status) => ({ status, label: STATUS_LABELS[status], count: items.filter((i) => i.status === status).length }));

  const money = (v: number) => formatValue(indicator('contract-value')!, v);
  const months = await contractMonths(year, figures);
  const yearTarget = items.find((i) => i.indicator === 'contract-value' && i.scopeKind === 'district' && i.period.start === year && i.period.end === year);
  const monthsShown = year < currentYear() ? 12 : monthOf(clock.now());
  const chart = cumulativeChart(
    [
      { name: '认定登记额', className: 'series-registered', values: months.registered },
      { name: '签订额', className: 'series-signed', values: months.signed },
    ],
    yearTarget?.target,
    money,
    year > currentYear() ? 0 : monthsShown,
  );
  const towns = await byTown(year, figures);
  const townBars = horizontalBars(
    towns.rows.map((r) => ({ label: r.label, value: r.cells[0]!.actual, text: r.cells[0]!.text })),
    `${year}年各镇街园区技术合同成交额`,
  );
  return {
    title: organizer ? '目标看板' : '目标进度',
    section: 'targets',
    organizer,
    year,
    filters: { year: String(year), scope: q.scope ?? '' },
    yearOptions: yearOptions(year),
    scopeOptions: scopeOptions(),
    items: ordered.map((i) => decorate(i, organizer)),
    summary,
    statusRules: statusRules(),
    statusLabels: STATUS_LABELS,
    chart,
    townBars,
    towns,
  };
}

/**
 * The board is the same for every organizer (and for every other viewer) at a given minute, until a target, an
 * entry or a running total changes ('targets' topic): its body is rendered once per minute, view and address.
 * Progress moves with time (the share of the target period gone, events counting once ended), so a body is kept
 * for the minute it was made in at most.
 */
const keptBoards = keptBodies('targets', 200);

export const dashboard: RequestHandler = async (req, res) => {
  const organizer = isOrganizer(req.user);
  await sendWithKeptBody(req, res, {
    bodies: keptBoards,
    key: `${organizer}|${Math.floor(clock.ms() / 60_000)}|${req.originalUrl}`,
    view: 'targets/dashboard',
    // the query is checked when the page is made: a kept page's URL passed
    locals: () => dashboardLocals(parse(progressQuery, req.query), organizer),
  });
};

export const progressApi: RequestHandler = async (req, res) => {
  const q = parse(progressQuery, req.query);
  const { year, items } = await progress(q);
  const organizer = isOrganizer(req.user);
  res.json({
    year,
    items: items.map(({ pending, ...i }) => ({ ...i, ...(organizer ? { pending } : {}) })),
  });
};

export const recordsPage: RequestHandler = async (req, res) => {
  const q = parse(recordsQuery, req.query);
  const result = await recordsBehind(q);
  res.set('Cache-Control', 'no-store');
  res.render('targets/records', { title: `${result.label}：${result.from === result.to ? result.from : `${result.from}–${result.to}`}年`, section: 'targets', result, query: req.query, pager: pager(result) });
};

export const recordsApi: RequestHandler = async (req, res) => {
  res.set('Cache-Control', 'no-store').json(await recordsBehind(parse(recordsQuery, req.query)));
};

export const ledgerExport: RequestHandler = async (_req, res) => {
  const buffer = await ledgerWorkbook(await allTargets());
  const filename = `年度目标分解表-${clock.now().toISOString().slice(0, 10)}.xlsx`;
  res.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`);
  res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(buffer);
};

// ---- the breakdown table on the record kit ------------------------------------------------------------------

export const targetDef: RecordDef<TargetView, TargetInput, TargetQuery> = {
  base: '/targets/plan',
  noun: '目标',
  section: 'targets',
  views: { list: 'targets/plan', show: 'targets/target', form: 'targets/form' },
  service: targets,
  schemas: { create: targetInput, update: targetPatch, list: targetQuery },
  fromForm(body) {
    const span = body.periodKind === 'span';
    return {
      indicator: body.indicator,
      ...(span ? { startYear: body.startYear, endYear: body.endYear } : { year: body.year }),
      scope: body.scope,
      value: moneyFromForm(body, 'value'),
      lead: body.lead,
      responsible: body.responsible,
      note: body.note,
    };
  },
  toForm: (v) => {
    const ind = indicator(v.indicator)!;
    return {
      ...v,
      periodKind: v.startYear === v.endYear ? 'year' : 'span',
      year: v.startYear === v.endYear ? v.startYear : '',
      value: ind.format === 'money' ? v.value / 1e4 : v.value,
      responsible: v.responsible.join('、'),
    };
  },
  prefill: async (query) => ({ periodKind: 'year', year: currentYear(), scope: 'district', indicator: typeof query.indicator === 'string' ? query.indicator : '' }),
  formLocals: () => ({ indicatorOptions: indicatorOptions(), scopeOptions: scopeOptions(), unitOptions: units.map((u) => ({ value: u, label: u })) }),
  listLocals: (_q, actor) => ({ indicatorOptions: indicatorOptions(), canEdit: targetPolicy.can(actor, 'edit', undefined), thisYear: currentYear() }),
  async showLocals(record) {
    // This year's progress, the last year's once the period is over, the first year's (未开始) before it begins.
    const year = Math.max(record.startYear, Math.min(record.endYear, currentYear()));
    const { items } = await progress({ year, indicator: record.indicator, scope: record.scope });
    const item = items.find((i) => i.id === record.id);
    return { item: item ? decorate(item, true) : undefined };
  },
  export: targetExport,
};

// ---- manual entries ---------------------------------------------------------------------------------------

async function entriesLocals(actor: Actor, locals: Record<string, unknown>) {
  return {
    title: '手工填报',
    section: 'targets',
    entries: await listEntries({}),
    indicatorOptions: indicatorOptions(true),
    scopeOptions: scopeOptions(),
    values: { year: currentYear(), scope: 'district' },
    actor,
    ...locals,
  };
}

export const entriesPage: RequestHandler = async (req, res) => {
  res.set('Cache-Control', 'no-store');
  res.render('targets/entries', await entriesLocals(req.user!, {}));
};

export const createEntry: RequestHandler = async (req, res) => {
  const body = req.body as Record<string, unknown>;
  try {
    const input = parse(entryInput, { indicator: body.indicator, year: body.year, scope: body.scope, value: moneyFromForm(body, 'value'), note: body.note });
    const entry = await addEntry(req.user!, input, req.file);
    req.flash('success', `已填报 ${entry.indicatorLabel} ${entry.year} 年：${entry.valueText}。`);
    res.redirect(303, '/targets/entries');
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    renderInvalid(res, 'targets/entries', err, await entriesLocals(req.user!, { values: body }));
  }
};

export const createEntryApi: RequestHandler = async (req, res) => {
  const entry = await addEntry(req.user!, parse(entryInput, req.body ?? {}), req.file);
  res.status(201).location(`/api/v1/targets/entries/${entry.id}`).json(entry);
};

export const entriesApi: RequestHandler = async (_req, res) => {
  res.set('Cache-Control', 'no-store').json({ items: await listEntries({}) });
};

export const entryPage: RequestHandler = async (req, res) => {
  res.set('Cache-Control', 'no-store');
  res.render('targets/entry', { title: '填报记录', section: 'targets', entry: await getEntry(req.user, idParam(req)) });
};

export const confirmEntryDelete: RequestHandler = async (req, res) => {
  const entry = await getEntry(req.user, idParam(req));
  res.render('shared/confirm-delete', {
    title: '删除填报记录',
    section: 'targets',
    noun: '填报记录',
    record: { label: `${entry.indicatorLabel} ${entry.year} 年 ${entry.scopeLabel}：${entry.valueText}` },
    action: `/targets/entries/${entry.id}/delete`,
    back: `/targets/entries/${entry.id}`,
  });
};

export const deleteEntry: RequestHandler = async (req, res) => {
  await removeEntry(req.user!, idParam(req));
  req.flash('success', '已删除该填报记录，进度随之更新。');
  res.redirect(303, '/targets/entries');
};

export const deleteEntryApi: RequestHandler = async (req, res) => {
  await removeEntry(req.user!, idParam(req));
  res.status(204).end();
};

/** Evidence files download, never render: the stored type, attachment disposition, nosniff (helmet). */
export const evidenceFile: RequestHandler = async (req, res) => {
  const file = await evidence(req.user, idParam(req));
  res.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
  res.set('Cache-Control', 'no-store');
  res.type(file.contentType).send(Buffer.from(file.data));
};
