// Spreadsheet import and export of the breakdown table, one target per row. The indicator is named by its
// code or label; the period is a year ("2022") or a span ("2021–2025"); the value is in the row's unit
// (亿元, 万元 or 元 for money — 万元 when left blank — and the indicator's own unit otherwise). A row that
// exists (same indicator, period and scope) is updated.
import { insertOrUpdate, type ImportSpec } from '../platform/io/import.ts';
import { INDICATORS, indicator, townScopeAllowed } from './indicators.ts';
import { Target, type TargetDoc } from './model.ts';
import { targetInput, scopeKey, type Scope, type TargetInput } from './schema.ts';
import type { TargetView } from './service.ts';

type Ready = TargetInput;

const MONEY_UNITS: Record<string, number> = { 亿元: 1e8, 万元: 1e4, 元: 1 };

function indicatorCode(text: string | undefined): string | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  return INDICATORS.find((i) => i.code === t || i.label === t)?.code ?? t;
}

/** "2022", "2022年", "2021-2025", "2021—2025年" → { year } or { startYear, endYear }. */
function periodFrom(text: string | undefined): Record<string, string> {
  const t = (text ?? '').replace(/年/g, '').trim();
  const span = /^(\d{4})\s*[-–—~～至到]\s*(\d{4})$/.exec(t);
  if (span) return { startYear: span[1]!, endYear: span[2]! };
  return { year: t };
}

function valueFrom(code: string | undefined, value: string | undefined, unit: string | undefined): unknown {
  const v = (value ?? '').replace(/[,，\s%]/g, '');
  if (v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) return value;
  const ind = code ? indicator(code) : undefined;
  if (ind?.format === 'money') return Math.round(n * (MONEY_UNITS[(unit ?? '').trim()] ?? 1e4));
  return n;
}

export const targetImport: ImportSpec<TargetInput, Ready> = {
  kind: 'targets',
  label: '目标分解表',
  columns: [
    { header: '指标', field: 'indicator', required: true, aliases: ['指标名称'], hint: `如：${INDICATORS.slice(0, 3).map((i) => i.label).join('、')}` },
    { header: '目标期', field: 'period', required: true, aliases: ['年度', '年份'], hint: '年份（2026）或起止年份（2021–2025）' },
    { header: '范围', field: 'scope', aliases: ['责任范围'], hint: '全区（默认）、镇街园区名称或责任单位' },
    { header: '目标值', field: 'value', required: true },
    { header: '单位', field: 'unit', hint: '金额可写 亿元、万元（默认）或 元' },
    { header: '牵头单位', field: 'lead' },
    { header: '责任单位', field: 'responsible', hint: '用顿号分隔' },
    { header: '备注', field: 'note' },
  ],
  schema: targetInput,
  prepare(c) {
    const code = indicatorCode(c.indicator);
    return {
      indicator: code,
      ...periodFrom(c.period),
      scope: c.scope?.trim() || 'district',
      value: valueFrom(code, c.value, c.unit),
      lead: c.lead,
      responsible: c.responsible,
      note: c.note,
    };
  },
  async preload() {
    const docs = await Target.find({ deletedAt: null }).lean<TargetDoc[]>();
    return new Map(docs.map((d) => [keyOf({ ...d, scope: d.scope as Scope }), String(d._id)]));
  },
  async resolve(input, lookups) {
    const existing = lookups as Map<string, string>;
    const ind = indicator(input.indicator)!;
    if (input.scope.kind === 'town' && !townScopeAllowed(ind)) {
      return { errors: { scope: `“${ind.label}”不按镇街统计。` } };
    }
    return { ready: { ...input, lead: input.lead ?? ind.lead }, existingId: existing.get(keyOf(input)) };
  },
  keyOf: (r) => keyOf(r),
  labelOf: (r) => `${indicator(r.indicator)?.label ?? r.indicator} ${(r as Ready).startYear ?? ''}`,
  write: (chunk, batch) =>
    insertOrUpdate(Target, chunk, batch, {
      onCreate: (r) => ({ responsible: r.responsible ?? [] }),
      // The indicator, years and scope are the row's identity; only what the plan says about them changes.
      update: (r) => ({ $set: { value: r.value, lead: r.lead, responsible: r.responsible ?? [], note: r.note } }),
    }),
  rollback: async (batch) => (await Target.deleteMany({ importBatch: batch })).deletedCount,
};

function keyOf(t: { indicator: string; startYear: number; endYear: number; scope: Scope }): string {
  return `${t.indicator}|${t.startYear}|${t.endYear}|${scopeKey(t.scope)}`;
}

/** The flat export, in the import's columns, so a downloaded table can be edited and imported again. */
export const targetExport = {
  sheet: '目标分解表',
  columns: targetImport.columns.map((c) => ({ header: c.header, width: c.field === 'indicator' ? 28 : c.field === 'responsible' ? 32 : undefined })),
  row: (v: TargetView) => {
    const ind = indicator(v.indicator)!;
    const money = ind.format === 'money';
    return [
      v.indicatorLabel,
      v.startYear === v.endYear ? String(v.startYear) : `${v.startYear}–${v.endYear}`,
      v.scopeLabel,
      money ? v.value / 1e4 : v.value,
      money ? '万元' : ind.unit,
      v.lead ?? '',
      v.responsible.join('、'),
      v.note ?? '',
    ];
  },
};
