// The ledger as the district files it: the annual breakdown table (年度目标分解表) with each year's target
// and what was done beside it, one row per indicator and scope, span targets (2021–2025) at the right.
import ExcelJS from 'exceljs';
import { neutralise } from '../platform/io/tabular.ts';
import { isoDate, yearOf } from '../platform/time.ts';
import { indicator, INDICATORS, type Indicator } from './indicators.ts';
import type { TargetDoc } from './model.ts';
import { Figures } from './tallies.ts';
import type { Scope } from './schema.ts';
import { periodLabel, scopeLabel } from './service.ts';
import { clock } from '../platform/clock.ts';

/** Values in the sheet's unit: money in 万元, the rest as they are. */
const sheetUnit = (ind: Indicator) => (ind.format === 'money' ? '万元' : ind.unit);
const sheetValue = (ind: Indicator, v: number | undefined) => (v === undefined ? '' : ind.format === 'money' ? Math.round(v / 100) / 100 : Math.round(v * 100) / 100);

interface Row {
  ind: Indicator;
  scope: Scope;
  years: Map<number, TargetDoc>;
  spans: TargetDoc[];
  lead: string;
  responsible: string[];
}

export async function ledgerWorkbook(targets: TargetDoc[], now = clock.now()): Promise<Buffer> {
  // The years of the year targets and of the spans, up to this year: at most the last eight.
  const thisYear = yearOf(now);
  const spanned = targets.flatMap((t) => Array.from({ length: t.endYear - t.startYear + 1 }, (_, i) => t.startYear + i));
  const years = [...new Set(spanned)].filter((y) => y <= thisYear).sort((a, b) => a - b).slice(-8);
  const rows = new Map<string, Row>();
  for (const t of targets) {
    const ind = indicator(t.indicator);
    if (!ind) continue;
    const key = `${t.indicator}|${t.scope.kind}|${t.scope.code}`;
    const row: Row = rows.get(key) ?? { ind, scope: { kind: t.scope.kind as Scope['kind'], code: t.scope.code }, years: new Map(), spans: [], lead: '', responsible: [] };
    if (t.startYear === t.endYear) row.years.set(t.startYear, t);
    else row.spans.push(t);
    row.lead ||= t.lead ?? ind.lead ?? '';
    row.responsible = [...new Set([...row.responsible, ...(t.responsible ?? [])])];
    rows.set(key, row);
  }
  const order = new Map(INDICATORS.map((i, n) => [i.code, n]));
  const sorted = [...rows.values()].sort((a, b) => order.get(a.ind.code)! - order.get(b.ind.code)! || a.scope.kind.localeCompare(b.scope.kind) || a.scope.code.localeCompare(b.scope.code));

  // An in-memory workbook, unlike the list exports (platform/io/tabular.ts streams those): one row per indicator,
  // scope and span, a few dozen at most, and the styled two-row header is set after the fact (row fonts, widths).
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '东宝区科技成果转化与人才对接平台';
  const sheet = workbook.addWorksheet('年度目标分解表');
  const fixed = ['序号', '指标', '单位', '范围'];
  const spanCols = ['目标期', '目标', '累计完成', '完成率'];
  const tail = ['牵头单位', '责任单位'];
  const totalCols = fixed.length + years.length * 2 + spanCols.length + tail.length;

  sheet.mergeCells(1, 1, 1, totalCols);
  sheet.getCell(1, 1).value = '东宝区建设全省创新型县（市、区）年度目标分解表';
  sheet.getCell(1, 1).font = { bold: true, size: 14 };
  sheet.getCell(1, 1).alignment = { horizontal: 'center' };
  sheet.mergeCells(2, 1, 2, totalCols);
  sheet.getCell(2, 1).value = `统计截至 ${isoDate(now)}。完成值由平台记录计算：技术合同成交额按认定登记日期计入，仅计已核实的合同和人才；其余指标为填报值。`;

  // Two header rows: a year over its 目标 / 完成 pair.
  const h1 = 3;
  const h2 = 4;
  fixed.forEach((text, i) => {
    sheet.mergeCells(h1, i + 1, h2, i + 1);
    sheet.getCell(h1, i + 1).value = text;
  });
  years.forEach((y, i) => {
    const col = fixed.length + i * 2 + 1;
    sheet.mergeCells(h1, col, h1, col + 1);
    sheet.getCell(h1, col).value = `${y}年`;
    sheet.getCell(h2, col).value = '目标';
    sheet.getCell(h2, col + 1).value = '完成';
  });
  const spanStart = fixed.length + years.length * 2 + 1;
  sheet.mergeCells(h1, spanStart, h1, spanStart + spanCols.length - 1);
  sheet.getCell(h1, spanStart).value = '期间目标';
  spanCols.forEach((text, i) => (sheet.getCell(h2, spanStart + i).value = text));
  tail.forEach((text, i) => {
    const col = spanStart + spanCols.length + i;
    sheet.mergeCells(h1, col, h2, col);
    sheet.getCell(h1, col).value = text;
  });
  for (const r of [h1, h2]) {
    sheet.getRow(r).font = { bold: true };
    sheet.getRow(r).alignment = { horizontal: 'center', vertical: 'middle' };
  }

  const figures = new Figures(now);
  let line = h2 + 1;
  let n = 0;
  for (const row of sorted) {
    const spans = row.spans.length ? row.spans : [undefined];
    for (const span of spans) {
      n++;
      const cells: (string | number)[] = [n, row.ind.label, sheetUnit(row.ind), scopeLabel(row.scope)];
      for (const y of years) {
        // Each year's achievement shows even without a target that year: it is the span target's breakdown.
        const done = await figures.figure(row.ind.code, y, y, row.scope);
        cells.push(sheetValue(row.ind, row.years.get(y)?.value), sheetValue(row.ind, done?.actual));
      }
      if (span) {
        const done = await figures.figure(row.ind.code, span.startYear, span.endYear, row.scope);
        const actual = done?.actual ?? 0;
        cells.push(periodLabel(span.startYear, span.endYear), sheetValue(row.ind, span.value), sheetValue(row.ind, actual), span.value ? Math.round((actual / span.value) * 1000) / 10 + '%' : '');
      } else {
        cells.push('', '', '', '');
      }
      cells.push(row.lead, row.responsible.join('、'));
      sheet.getRow(line).values = cells.map((v) => (typeof v === 'number' ? v : neutralise(v)));
      line++;
    }
  }
  sheet.columns.forEach((col, i) => (col.width = i === 1 ? 30 : i === totalCols - 1 ? 36 : 11));
  sheet.views = [{ state: 'frozen', ySplit: h2, xSplit: 2 }];
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
