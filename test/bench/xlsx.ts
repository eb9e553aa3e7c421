// npm run bench -- xlsx: can exceljs 4.4.0 write what the platform exports (docs/decisions/exceljs.md)?
//   buffer — a 200,000-row export of needs the way exports were written before they streamed (writeXlsx in
//            server/platform/io/tabular.ts: every row in memory, the workbook built and zipped into one Buffer);
//   stream — the same rows the way exports are written now: streamXlsx (tabular.ts, exceljs's streaming
//            WorkbookWriter) fed by an async generator as a database cursor feeds it, each row committed as it
//            comes, into a file stream with backpressure;
//   ledger — the styled 年度目标分解表 (the layout of server/targets/ledger.ts: merged title and two header rows,
//            bold and centred headers, frozen panes, column widths) through the streaming writer, read back to
//            check that the merges, fonts and frozen panes survived.
// Each case runs in its own process (node --import tsx test/bench/xlsx.ts CASE), so its peak RSS is its own;
// BENCH_XLSX_RUNS times (3 by default), the median reported. BENCH_XLSX_ROWS sets the row count (200,000),
// BENCH_XLSX_CASES a comma-separated subset of the cases.
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { streamXlsx, writeXlsx, type Column } from '../../server/platform/io/tabular.ts';
import { scaleDemand } from '../../seeds/scale.ts';
import { percentile, table, type BenchReport } from './support.ts';

const CASES = ['buffer', 'stream', 'ledger'] as const;
type Case = (typeof CASES)[number];

const COLUMNS: Column[] = [
  { header: '需求名称', width: 30 },
  { header: '发布企业', width: 24 },
  { header: '所属行业' },
  { header: '需求类型' },
  { header: '需求描述', width: 60 },
  { header: '关键词', width: 24 },
  { header: '合作方式' },
  { header: '预算下限（万元）' },
  { header: '预算上限（万元）' },
  { header: '所属乡镇' },
  { header: '发布日期' },
];
const ENTERPRISES = Array.from({ length: 60 }, (_, i) => ({ id: `e${i}`, name: `湖北东宝第${i + 1}号科技有限公司`, town: 'longquan', industry: 'chemicals' }));

function row(i: number): unknown[] {
  const d = scaleDemand(i, ENTERPRISES);
  return [d.title, d.enterpriseName, d.industry, d.kind, d.description, d.keywords.join('、'), d.cooperationModes.join('、'), d.budgetMin ? d.budgetMin / 10_000 : '', d.budgetMax ? d.budgetMax / 10_000 : '', d.town, d.createdAt.toISOString().slice(0, 10)];
}

interface Outcome {
  seconds: number;
  peakRssMb: number;
  fileMb: number;
  check: string;
}

async function runCase(name: Case, rows: number, file: string): Promise<Outcome> {
  const started = performance.now();
  let check = '';
  if (name === 'buffer') {
    const all = Array.from({ length: rows }, (_, i) => row(i));
    writeFileSync(file, await writeXlsx('技术需求', COLUMNS, all));
  } else if (name === 'stream') {
    // As crud.ts's export route: rows from an async source (there a mongoose cursor mapped to rows).
    async function* source() {
      for (let i = 0; i < rows; i++) yield row(i);
    }
    const out = createWriteStream(file);
    try {
      await streamXlsx(out, '技术需求', COLUMNS, source());
    } catch (err) {
      out.destroy();
      throw err;
    }
  } else {
    await ledger(file);
  }
  const seconds = (performance.now() - started) / 1000;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  // Checked after timing: the file opens and holds what was written.
  if (name === 'ledger') {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.getWorksheet('年度目标分解表')!;
    const merges = (sheet.model as unknown as { merges: string[] }).merges.length;
    const frozen = sheet.views[0]?.state === 'frozen';
    check = `${sheet.rowCount} rows, ${merges} merges, title bold ${sheet.getCell(1, 1).font?.bold === true}, header centred ${sheet.getCell(3, 1).alignment?.horizontal === 'center'}, frozen ${frozen}`;
  } else {
    let count = 0;
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore', worksheets: 'emit' });
    for await (const sheet of reader) for await (const _ of sheet) count++;
    check = `reads back ${count.toLocaleString('en')} rows`;
  }
  return { seconds, peakRssMb, fileMb: statSync(file).size / 2 ** 20, check };
}

/** The 年度目标分解表's layout (server/targets/ledger.ts) written through the streaming writer. */
async function ledger(file: string): Promise<void> {
  const years = [2021, 2022, 2023, 2024, 2025, 2026];
  const fixed = ['序号', '指标', '单位', '范围'];
  const spanCols = ['目标期', '目标', '累计完成', '完成率'];
  const tail = ['牵头单位', '责任单位'];
  const totalCols = fixed.length + years.length * 2 + spanCols.length + tail.length;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: true });
  const sheet = workbook.addWorksheet('年度目标分解表', { views: [{ state: 'frozen', ySplit: 4, xSplit: 2 }] });
  sheet.columns = Array.from({ length: totalCols }, (_, i) => ({ width: i === 1 ? 30 : i === totalCols - 1 ? 36 : 11 }));
  sheet.mergeCells(1, 1, 1, totalCols);
  sheet.getCell(1, 1).value = '东宝区建设全省创新型县（市、区）年度目标分解表';
  sheet.getCell(1, 1).font = { bold: true, size: 14 };
  sheet.getCell(1, 1).alignment = { horizontal: 'center' };
  sheet.mergeCells(2, 1, 2, totalCols);
  sheet.getCell(2, 1).value = '统计截至 2026-12-05。完成值由平台记录计算。';
  fixed.forEach((text, i) => {
    sheet.mergeCells(3, i + 1, 4, i + 1);
    sheet.getCell(3, i + 1).value = text;
  });
  years.forEach((y, i) => {
    const col = fixed.length + i * 2 + 1;
    sheet.mergeCells(3, col, 3, col + 1);
    sheet.getCell(3, col).value = `${y}年`;
    sheet.getCell(4, col).value = '目标';
    sheet.getCell(4, col + 1).value = '完成';
  });
  const spanStart = fixed.length + years.length * 2 + 1;
  sheet.mergeCells(3, spanStart, 3, spanStart + spanCols.length - 1);
  sheet.getCell(3, spanStart).value = '期间目标';
  spanCols.forEach((text, i) => (sheet.getCell(4, spanStart + i).value = text));
  tail.forEach((text, i) => {
    sheet.mergeCells(3, spanStart + spanCols.length + i, 4, spanStart + spanCols.length + i);
    sheet.getCell(3, spanStart + spanCols.length + i).value = text;
  });
  for (const r of [3, 4]) {
    // A row's style reaches the cells it already has; set each cell so the merged ones carry it too.
    sheet.getRow(r).eachCell({ includeEmpty: true }, (cell) => {
      cell.font = { bold: true };
      cell.alignment = { horizontal: 'center', vertical: 'middle' };
    });
  }
  for (let r = 1; r <= 4; r++) sheet.getRow(r).commit();
  for (let n = 1; n <= 60; n++) {
    const cells: (string | number)[] = [n, `指标 ${n}`, n % 2 ? '万元' : '人', n % 7 ? '东宝区' : '子陵铺镇'];
    for (const y of years) cells.push(n * y % 997, n * y % 883);
    cells.push('2021—2025年', n * 100, n * 93, '93%', '区科技局', '区人社局、区经信局');
    sheet.addRow(cells).commit();
  }
  sheet.commit();
  await workbook.commit();
}

const exec = promisify(execFile);

export async function benchXlsx(): Promise<BenchReport> {
  const runs = Number(process.env.BENCH_XLSX_RUNS ?? 3);
  const rows = Number(process.env.BENCH_XLSX_ROWS ?? 200_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xlsx-bench-'));
  const lines: (string | number)[][] = [];
  const summary: BenchReport['summary'] = [];
  try {
    const cases = process.env.BENCH_XLSX_CASES ? CASES.filter((c) => process.env.BENCH_XLSX_CASES!.split(',').includes(c)) : CASES;
    for (const name of cases) {
      const outcomes: Outcome[] = [];
      for (let run = 0; run < runs; run++) {
        const { stdout } = await exec(process.execPath, ['--import', 'tsx', import.meta.filename, name, String(rows), path.join(dir, `${name}.xlsx`)], { maxBuffer: 1 << 20 });
        outcomes.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as Outcome);
        process.stderr.write(`  xlsx ${name} run ${run + 1}/${runs}: ${outcomes.at(-1)!.seconds.toFixed(1)} s, peak RSS ${outcomes.at(-1)!.peakRssMb.toFixed(0)} MB\n`);
      }
      const med = (f: (o: Outcome) => number) => percentile(outcomes.map(f), 0.5);
      const what = name === 'ledger' ? '年度目标分解表, 60 rows' : `${rows.toLocaleString('en')} rows × ${COLUMNS.length} columns`;
      lines.push([name, what, med((o) => o.seconds).toFixed(1), med((o) => o.peakRssMb).toFixed(0), med((o) => o.fileMb).toFixed(1), outcomes[0]!.check]);
      summary.push(['xlsx', `${name}: ${what}`, `${med((o) => o.seconds).toFixed(1)} s · peak RSS ${med((o) => o.peakRssMb).toFixed(0)} MB · ${outcomes[0]!.check}`]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const detail = table(`exceljs 4.4.0 writing exports (each case in its own process; median of ${runs} runs)`, ['case', 'what', 'seconds', 'peak RSS MB', 'file MB', 'check'], lines);
  return { detail, summary };
}

// Run as a child: one case, its outcome as the last line of stdout.
if (process.argv[1] === import.meta.filename) {
  const [name, rows, file] = process.argv.slice(2);
  if (CASES.includes(name as Case)) {
    const outcome = await runCase(name as Case, Number(rows), file!);
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
  }
}
