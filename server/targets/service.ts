// The target ledger: the breakdown table (organizers edit it), manual entries with evidence for what the
// platform does not record, and progress against each target with a red/amber/green status measured against
// the share of the target's period that has passed (未开始 while the period has not begun).
import type { Actor } from '../platform/auth/actor.ts';
import { assertOrganizer } from '../platform/auth/actor.ts';
import { findLive } from '../platform/db/live.ts';
import { Conflict, Invalid, NotFound } from '../platform/errors.ts';
import type { ListResult, Permissions, RecordService, RecordView } from '../platform/http/crud.ts';
import { parse } from '../platform/http/validate.ts';
import { calendarDate, currentYear, elapsedShare } from '../platform/time.ts';
import * as audit from '../audit/service.ts';
import { labelOf, town } from '../vocabulary/index.ts';
import { INDICATORS, formatValue, indicator, townScopeAllowed, type Indicator } from './indicators.ts';
import { Attachment, ProgressEntry, Target, type AttachmentDoc, type EntryDoc, type TargetDoc } from './model.ts';
import { Ledger, liveEntries, type Contribution, type Figure } from './progress.ts';
import { Figures } from './tallies.ts';
import { scopeFrom, scopeKey, targetInput, type EntryInput, type RecordsQuery, type Scope, type TargetInput, type TargetPatch, type TargetQuery } from './schema.ts';
import { sniffEvidence } from './evidence.ts';
import { clock } from '../platform/clock.ts';
import { targetPolicy, visibleFilter } from './policy.ts';
import { SharedCache } from '../platform/db/shared-cache.ts';

export const scopeLabel = (s: Scope): string => (s.kind === 'district' ? '全区' : s.kind === 'town' ? labelOf('town', s.code) : s.code);
export const periodLabel = (from: number, to: number): string => (from === to ? `${from}年` : `${from}–${to}年`);

export interface TargetView extends RecordView {
  indicator: string;
  indicatorLabel: string;
  unit: string;
  startYear: number;
  endYear: number;
  period: string;
  scope: string;
  scopeKind: Scope['kind'];
  scopeLabel: string;
  value: number;
  valueText: string;
  lead?: string | null | undefined;
  responsible: string[];
  note?: string | null | undefined;
}

export function targetView(doc: TargetDoc): TargetView {
  const ind = indicator(doc.indicator)!;
  const scope = { kind: doc.scope.kind as Scope['kind'], code: doc.scope.code };
  return {
    id: String(doc._id),
    label: `${ind.label}（${scopeLabel(scope)}，${periodLabel(doc.startYear, doc.endYear)}）`,
    indicator: doc.indicator,
    indicatorLabel: ind.label,
    unit: ind.unit,
    startYear: doc.startYear,
    endYear: doc.endYear,
    period: periodLabel(doc.startYear, doc.endYear),
    scope: scopeKey(scope),
    scopeKind: scope.kind,
    scopeLabel: scopeLabel(scope),
    value: doc.value,
    valueText: formatValue(ind, doc.value),
    lead: doc.lead,
    responsible: doc.responsible ?? [],
    note: doc.note,
  };
}

const editable = (actor: Actor | undefined, doc: TargetDoc): Permissions => targetPolicy.permissions(actor, doc, ['edit', 'delete'] as const);


async function loadTarget(id: string): Promise<TargetDoc> {
  const doc = await findLive<TargetDoc>(Target, id);
  if (!doc) throw new NotFound('目标不存在。');
  return doc;
}

const sameRow = (a: { indicator: string; startYear: number; endYear: number; scope: Scope }, b: TargetDoc) =>
  a.indicator === b.indicator && a.startYear === b.startYear && a.endYear === b.endYear && a.scope.kind === b.scope.kind && a.scope.code === b.scope.code;

/** One target per indicator, period and scope; a town scope only for indicators counted by town. */
async function checkRow(input: TargetInput, except?: string): Promise<void> {
  const ind = indicator(input.indicator)!;
  if (input.scope.kind === 'town' && !townScopeAllowed(ind)) {
    throw new Invalid({ scope: `“${ind.label}”不按镇街统计，请选择全区或责任单位。` });
  }
  const docs = await Target.find({ deletedAt: null, indicator: input.indicator }).lean<TargetDoc[]>();
  const twin = docs.find((d) => sameRow(input, d) && String(d._id) !== except);
  if (twin) throw new Conflict(`“${targetView(twin).label}”已有目标值 ${formatValue(ind, twin.value)}，请编辑该行。`, { indicator: '该指标在此期间和范围内已有目标。' });
}

function listFilterOf(q: TargetQuery) {
  return (d: TargetDoc) => (!q.indicator || d.indicator === q.indicator) && (!q.year || (d.startYear <= q.year && q.year <= d.endYear));
}

const ORDER = new Map(INDICATORS.map((ind, i) => [ind.code, i]));
const SCOPE_ORDER = { district: 0, town: 1, unit: 2 } as const;
export const tableOrder = (a: TargetDoc, b: TargetDoc) =>
  (ORDER.get(a.indicator) ?? 99) - (ORDER.get(b.indicator) ?? 99) ||
  a.startYear - b.startYear ||
  a.endYear - b.endYear ||
  SCOPE_ORDER[a.scope.kind as Scope['kind']] - SCOPE_ORDER[b.scope.kind as Scope['kind']] ||
  a.scope.code.localeCompare(b.scope.code);

/** The whole table, in the plan's order (a few hundred rows at most). */
export async function allTargets(): Promise<TargetDoc[]> {
  const docs = await targetTable.get('all', async () => (await Target.find(visibleFilter(undefined)).lean<TargetDoc[]>()).sort(tableOrder));
  return [...docs!];
}

/** The target table, kept in process under 'targets' (model.ts; platform/db/shared-cache.ts). */
const targetTable = new SharedCache<TargetDoc[]>('targets', 1);


async function list(_actor: Actor | undefined, q: TargetQuery): Promise<ListResult<TargetView>> {
  const rows = (await allTargets()).filter(listFilterOf(q));
  const page = rows.slice((q.page - 1) * q.limit, q.page * q.limit);
  return { items: page.map(targetView), total: rows.length, page: q.page, limit: q.limit };
}

async function get(actor: Actor | undefined, id: string) {
  const doc = await loadTarget(id);
  return { ...targetView(doc), permissions: editable(actor, doc) };
}

async function create(actor: Actor, input: TargetInput): Promise<TargetView> {
  assertOrganizer(actor, '维护目标分解表');
  await checkRow(input);
  const doc = await Target.create({ ...input, responsible: input.responsible ?? [], lead: input.lead ?? indicator(input.indicator)!.lead, createdBy: actor.id });
  const view = targetView(doc.toObject() as TargetDoc);
  await audit.record({ actor, action: 'target.create', target: { kind: 'target', id: view.id, label: view.label }, detail: view.valueText });
  return view;
}

async function update(actor: Actor, id: string, patch: TargetPatch): Promise<TargetView> {
  const doc = await loadTarget(id); // the route is organizers' only (routes.ts); the rule is checked again here
  targetPolicy.authorize(actor, 'edit', doc);
  const period =
    patch.year !== undefined
      ? { year: patch.year }
      : { startYear: patch.startYear ?? doc.startYear, endYear: patch.endYear ?? doc.endYear };
  // The row as it will be, checked whole.
  const merged = parse(targetInput, {
    indicator: patch.indicator ?? doc.indicator,
    ...period,
    scope: scopeKey(patch.scope ?? (doc.scope as Scope)),
    value: patch.value ?? doc.value,
    lead: 'lead' in patch ? patch.lead : doc.lead ?? undefined,
    responsible: 'responsible' in patch ? patch.responsible : doc.responsible,
    note: 'note' in patch ? patch.note : doc.note ?? undefined,
  });
  await checkRow(merged, id);
  await Target.updateOne({ _id: id }, { $set: { ...merged, responsible: merged.responsible ?? [] } });
  const view = targetView(await loadTarget(id));
  await audit.record({ actor, action: 'target.update', target: { kind: 'target', id, label: view.label }, detail: `${formatValue(indicator(doc.indicator)!, doc.value)} → ${view.valueText}` });
  return view;
}

async function remove(actor: Actor, id: string): Promise<void> {
  const doc = await loadTarget(id); // the route is organizers' only (routes.ts); the rule is checked again here
  targetPolicy.authorize(actor, 'delete', doc);
  await Target.updateOne({ _id: id }, { $set: { deletedAt: clock.now() } });
  await audit.record({ actor, action: 'target.delete', target: { kind: 'target', id, label: targetView(doc).label } });
}

export const targets: RecordService<TargetView, TargetInput, TargetQuery> = { list, get, create, update, remove };

// ---- progress ---------------------------------------------------------------------------------------------

export type Status = 'green' | 'amber' | 'red' | 'none' | 'not-started';
export const STATUS_LABELS: Record<Status, string> = { green: '正常', amber: '需关注', red: '滞后', none: '暂无数据', 'not-started': '未开始' };
/** Most urgent first: the dashboard's order of rows and of the summary. */
export const STATUS_ORDER: readonly Status[] = ['red', 'amber', 'none', 'green', 'not-started'];

/** Green from this share of the progress due by now, amber from this one, red below it. */
export const GREEN_AT = 0.9;
export const AMBER_AT = 0.7;

export interface ProgressItem {
  id: string;
  indicator: string;
  label: string;
  scope: string;
  scopeKind: Scope['kind'];
  scopeLabel: string;
  period: { start: number; end: number; label: string };
  /** the years counted so far: start … the year asked about */
  counted: { from: number; to: number };
  target: number;
  actual: number;
  unit: string;
  targetText: string;
  actualText: string;
  /** actual ÷ target */
  ratio: number;
  /** share of the period elapsed at the year asked about (or today) */
  expected: number;
  status: Status;
  statusLabel: string;
  signed?: number | undefined;
  pending?: number | undefined;
  /** contract value: the part from 技术吸纳 and from 技术输出 contracts */
  absorb?: number | undefined;
  export?: number | undefined;
  lead?: string | null | undefined;
  responsible: string[];
  records: number;
}

/**
 * The status of a figure: a period that has not begun is not judged at all (未开始). A flow (money signed,
 * talents brought in) is judged against the share of its period that has passed — 60% of the way through the
 * plan, 60% of the target is on track; a level (a count of enterprises, a ratio) is judged against the target
 * itself. Green at ≥ GREEN_AT of that, amber at ≥ AMBER_AT, red below; a manual indicator with no entry yet
 * has no data. `statusRules` says the same in words on the dashboard.
 */
export function statusOf(ind: Indicator, ratio: number, expected: number, hasData: boolean, started = true): Status {
  if (!started) return 'not-started';
  if (!hasData) return 'none';
  if (ratio >= 1) return 'green';
  const pace = ind.aggregate === 'flow' ? (expected > 0 ? ratio / expected : 1) : ratio;
  if (pace >= GREEN_AT) return 'green';
  if (pace >= AMBER_AT) return 'amber';
  return 'red';
}

const percentText = (share: number) => `${Math.round(share * 100)}%`;

/** What each status means, from the thresholds `statusOf` uses, for the dashboard's legend. */
export function statusRules(): { status: Status; label: string; rule: string }[] {
  const rules: Record<Status, string> = {
    green: `完成值达到应有进度的 ${percentText(GREEN_AT)} 及以上，或已完成目标。`,
    amber: `完成值达到应有进度的 ${percentText(AMBER_AT)}，不足 ${percentText(GREEN_AT)}。`,
    red: `完成值不足应有进度的 ${percentText(AMBER_AT)}。`,
    none: '平台不记录、由责任单位填报的指标，在目标期内还没有填报数据。',
    'not-started': '目标期尚未开始（首年 1 月 1 日之前），不评判进度。',
  };
  return STATUS_ORDER.map((status) => ({ status, label: STATUS_LABELS[status], rule: rules[status] }));
}

/** The moment progress is measured at for a year: its last day, or now while it is running. */
function asOf(year: number, now: Date): Date {
  const end = new Date(Date.UTC(year, 11, 31, 15, 59, 59)); // 23:59:59 on 31 Dec, Beijing time
  return end < now ? end : now;
}

export async function progressFor(doc: TargetDoc, year: number, figures: Figures): Promise<ProgressItem | null> {
  const ind = indicator(doc.indicator);
  if (!ind) return null;
  const scope = { kind: doc.scope.kind as Scope['kind'], code: doc.scope.code };
  const to = Math.min(doc.endYear, year);
  const figure = (await figures.figure(doc.indicator, doc.startYear, to, scope)) ?? { actual: 0, records: 0 };
  const ratio = doc.value > 0 ? figure.actual / doc.value : 0;
  const expected = elapsedShare(doc.startYear, doc.endYear, asOf(year, figures.now));
  const hasData = ind.source !== 'manual' || figure.records > 0;
  // Measured at the year's end or now, whichever comes first: before the period's first year it has not begun.
  const started = currentYear(asOf(year, figures.now)) >= doc.startYear;
  const status = statusOf(ind, ratio, expected, hasData, started);
  return {
    id: String(doc._id),
    indicator: doc.indicator,
    label: ind.label,
    scope: scopeKey(scope),
    scopeKind: scope.kind,
    scopeLabel: scopeLabel(scope),
    period: { start: doc.startYear, end: doc.endYear, label: periodLabel(doc.startYear, doc.endYear) },
    counted: { from: doc.startYear, to },
    target: doc.value,
    actual: figure.actual,
    unit: ind.unit,
    targetText: formatValue(ind, doc.value),
    actualText: hasData ? formatValue(ind, figure.actual) : '—',
    ratio,
    expected,
    status,
    statusLabel: STATUS_LABELS[status],
    signed: figure.signed,
    pending: figure.pending,
    absorb: figure.absorb,
    export: figure.export,
    lead: doc.lead,
    responsible: doc.responsible ?? [],
    records: figure.records,
  };
}

/** Progress of every target whose period includes the year, optionally for one scope or indicator. */
export async function progress(q: { year?: number | undefined; scope?: string | undefined; indicator?: string | undefined }, now = clock.now()) {
  const year = q.year ?? currentYear(now);
  const scope = q.scope ? scopeFrom(q.scope) : undefined;
  if (q.scope && !scope) throw new Invalid({ scope: `范围“${q.scope}”无效：应为 district、镇街园区或责任单位。` });
  const figures = new Figures(now);
  const rows = (await allTargets()).filter(
    (d) =>
      d.startYear <= year &&
      year <= d.endYear &&
      (!scope || (d.scope.kind === scope.kind && d.scope.code === scope.code)) &&
      (!q.indicator || d.indicator === q.indicator),
  );
  const items = (await Promise.all(rows.map((d) => progressFor(d, year, figures)))).filter((i): i is ProgressItem => !!i);
  return { year, items, figures };
}

/** The figure a drill-down lists, with the records in pages and the sum of all of them. */
export async function recordsBehind(q: RecordsQuery, now = clock.now()) {
  const ind = indicator(q.indicator)!;
  if (q.to < q.from) throw new Invalid({ to: '截止年份不能早于起始年份。' });
  const figure: Figure | null = await new Ledger(now).figure(q.indicator, q.from, q.to, q.scope, q.by ?? 'registered');
  if (!figure) throw new Invalid({ scope: `“${ind.label}”不按镇街统计。` });
  const start = (q.page - 1) * q.limit;
  return {
    indicator: q.indicator,
    label: ind.label,
    unit: ind.unit,
    scope: scopeKey(q.scope),
    scopeLabel: scopeLabel(q.scope),
    from: q.from,
    to: q.to,
    by: ind.source === 'contracts' || ind.source === 'contract-count' ? (q.by ?? 'registered') : undefined,
    actual: figure.actual,
    actualText: formatValue(ind, figure.actual),
    sum: figure.records.reduce((s, r) => s + r.value, 0),
    total: figure.records.length,
    page: q.page,
    limit: q.limit,
    items: figure.records.slice(start, start + q.limit).map(publicRecord),
  };
}

/** Contracts, talents and manual entries are dated by a calendar date (YYYY-MM-DD in the API); the others by an instant. */
const DATE_ONLY = new Set<Contribution['kind']>(['contract', 'talent', 'entry']);

const publicRecord = (r: Contribution) => ({
  kind: r.kind,
  id: r.id,
  label: r.label,
  detail: r.detail,
  date: DATE_ONLY.has(r.kind) ? calendarDate(r.date) : r.date,
  year: r.year,
  town: r.town ?? undefined,
  value: r.value,
  href: r.href,
  evidence: r.evidence,
  enteredByName: r.enteredByName,
});

/** Figures for each town for the year, for the indicators counted by town. */
export async function byTown(year: number, figures: Figures) {
  const codes = ['contract-value', 'contract-count', 'talent-shortage', 'talent-innovative', 'talent-graduate', 'demands-published', 'matches-made', 'expert-visits'];
  const inds = codes.map((c) => indicator(c)!);
  const rows = [];
  for (const code of town.keys) {
    const cells = [];
    for (const ind of inds) {
      const f = await figures.figure(ind.code, year, year, { kind: 'town', code });
      cells.push({ indicator: ind.code, actual: f?.actual ?? 0, text: formatValue(ind, f?.actual ?? 0) });
    }
    rows.push({ town: code, label: labelOf('town', code), cells });
  }
  return { columns: inds.map((i) => ({ code: i.code, label: i.label })), rows };
}

/** Month by month cumulative contract value (registered, and signed) for the year. */
export async function contractMonths(year: number, figures: Figures): Promise<{ registered: number[]; signed: number[] }> {
  const book = await figures.book();
  const cumulative = (months: number[]) => {
    for (let i = 1; i < 12; i++) months[i]! += months[i - 1]!;
    return months;
  };
  return { registered: cumulative(book.months('contract-registered', year)), signed: cumulative(book.months('contract-signed', year)) };
}

// ---- manual entries and their evidence ---------------------------------------------------------------------

export interface EvidenceFile {
  originalname: string;
  buffer: Buffer;
  size: number;
}

export interface EntryView {
  id: string;
  indicator: string;
  indicatorLabel: string;
  year: number;
  scope: string;
  scopeLabel: string;
  value: number;
  valueText: string;
  note?: string | null | undefined;
  evidence?: { id: string; name: string } | undefined;
  enteredByName: string;
  createdAt: Date;
}

export function entryView(doc: EntryDoc): EntryView {
  const ind = indicator(doc.indicator)!;
  const scope = { kind: doc.scope.kind as Scope['kind'], code: doc.scope.code };
  return {
    id: String(doc._id),
    indicator: doc.indicator,
    indicatorLabel: ind.label,
    year: doc.year,
    scope: scopeKey(scope),
    scopeLabel: scopeLabel(scope),
    value: doc.value,
    valueText: formatValue(ind, doc.value),
    note: doc.note,
    evidence: doc.evidence ? { id: doc.evidence, name: doc.evidenceName ?? '证明材料' } : undefined,
    enteredByName: doc.enteredByName,
    createdAt: doc.createdAt,
  };
}

/** Records a value for an indicator the platform does not count itself, with the file that proves it. */
export async function addEntry(actor: Actor, input: EntryInput, file: EvidenceFile | undefined): Promise<EntryView> {
  assertOrganizer(actor, '维护目标分解表');
  if (!file) throw new Invalid({ evidence: '请上传证明材料（PDF、图片或 Office 文档）。' });
  const type = sniffEvidence(file.buffer);
  if (!type) throw new Invalid({ evidence: '证明材料应为 PDF、PNG、JPEG 或 Office 文档（docx、xlsx），文件内容与格式不符。' });
  const filename = safeFilename(file.originalname, type.extension);
  const attachment = await Attachment.create({ filename, contentType: type.contentType, size: file.size, data: file.buffer, uploadedBy: actor.id });
  const ind = indicator(input.indicator)!;
  // A level holds at the year's end (or today); a flow covers the year.
  const date = new Date(Math.min(clock.ms(), Date.UTC(input.year, 11, 31, 15, 59, 59)));
  const doc = await ProgressEntry.create({
    indicator: input.indicator,
    year: input.year,
    date,
    scope: input.scope,
    value: input.value,
    note: input.note,
    evidence: String(attachment._id),
    evidenceName: filename,
    enteredBy: actor.id,
    enteredByName: actor.name,
  });
  const view = entryView(doc.toObject() as EntryDoc);
  await audit.record({ actor, action: 'target.entry', target: { kind: 'progress-entry', id: view.id, label: `${ind.label} ${input.year}` }, detail: view.valueText });
  return view;
}

export async function listEntries(q: { indicator?: string | undefined; year?: number | undefined }): Promise<EntryView[]> {
  const docs = await liveEntries();
  return docs.filter((d) => (!q.indicator || d.indicator === q.indicator) && (!q.year || d.year === q.year)).map(entryView);
}

export async function getEntry(actor: Actor | undefined, id: string): Promise<EntryView> {
  assertOrganizer(actor, '维护目标分解表');
  const doc = await findLive<EntryDoc>(ProgressEntry, id);
  if (!doc) throw new NotFound('填报记录不存在。');
  return entryView(doc);
}

export async function removeEntry(actor: Actor, id: string): Promise<void> {
  const entry = await getEntry(actor, id);
  await ProgressEntry.updateOne({ _id: id }, { $set: { deletedAt: clock.now() } });
  await audit.record({ actor, action: 'target.entry.delete', target: { kind: 'progress-entry', id, label: `${entry.indicatorLabel} ${entry.year}` }, detail: entry.valueText });
}

/** An evidence file, for organizers only. */
export async function evidence(actor: Actor | undefined, id: string): Promise<AttachmentDoc> {
  assertOrganizer(actor, '维护目标分解表');
  const doc = await findLive<AttachmentDoc & { deletedAt?: Date | null }>(Attachment, id);
  if (!doc) throw new NotFound('证明材料不存在。');
  return doc;
}

/** A stored file name: the uploaded name without paths or control characters, with the extension its content has. */
function safeFilename(name: string, extension: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '')
    .replace(/[\p{Cc}"<>|:*?]/gu, '')
    .replace(/\.[^.]*$/, '')
    .trim()
    .slice(0, 80);
  return `${base || '证明材料'}.${extension}`;
}
