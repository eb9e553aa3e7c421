// Chart geometry for the dashboard, drawn as SVG by the templates (views/partials/chart-*.hbs): no chart
// library, no script, readable without JavaScript and printable. Values are scaled here; the templates
// only place shapes, so all text stays escaped by Handlebars.

export interface Bar {
  /** the filled part, 0–100 */
  fill: number;
  /** the expected-pace mark, 0–100 */
  mark: number;
  label: string;
}

export function progressBar(ratio: number, expected: number, status: string): Bar & { status: string } {
  const pct = (v: number) => Math.round(Math.max(0, Math.min(1, v)) * 1000) / 10;
  return {
    fill: pct(ratio),
    mark: pct(expected),
    status,
    label: `完成 ${Math.round(ratio * 100)}%，时间进度 ${Math.round(expected * 100)}%`,
  };
}

export interface LineChart {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  grid: { y: number; label: string }[];
  months: { x: number; label: string }[];
  series: { name: string; className: string; path: string; points: { x: number; y: number; title: string }[] }[];
  target?: { y: number; label: string } | undefined;
  label: string;
}

/** A "nice" step for about five grid lines. */
function niceStep(max: number): number {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw || 1));
  const n = raw / magnitude;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * magnitude;
}

/** Cumulative monthly series against an optional annual target, in 元, labelled in 万元/亿元. */
export function cumulativeChart(
  series: { name: string; className: string; values: number[] }[],
  target: number | undefined,
  money: (v: number) => string,
  monthsShown = 12,
): LineChart {
  const width = 640;
  const height = 260;
  const plot = { left: 72, top: 16, right: width - 16, bottom: height - 36 };
  const max = Math.max(target ?? 0, ...series.flatMap((s) => s.values.slice(0, monthsShown)), 1);
  const step = niceStep(max * 1.05);
  const top = Math.ceil((max * 1.05) / step) * step;
  const y = (v: number) => plot.bottom - (v / top) * (plot.bottom - plot.top);
  const x = (month: number) => plot.left + ((month - 0.5) / 12) * (plot.right - plot.left);
  const grid = [];
  for (let v = 0; v <= top + step / 2; v += step) grid.push({ y: round(y(v)), label: money(v) });
  return {
    width,
    height,
    plot,
    grid,
    months: Array.from({ length: 12 }, (_, i) => ({ x: round(x(i + 1)), label: `${i + 1}月` })),
    series: series.map((s) => {
      const points = s.values.slice(0, monthsShown).map((v, i) => ({ x: round(x(i + 1)), y: round(y(v)), title: `${s.name} ${i + 1}月累计 ${money(v)}` }));
      return { name: s.name, className: s.className, points, path: points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ') };
    }),
    target: target ? { y: round(y(target)), label: `年度目标 ${money(target)}` } : undefined,
    label: `${series.map((s) => `${s.name}累计 ${money(s.values[Math.max(0, monthsShown - 1)] ?? 0)}`).join('，')}${target ? `，年度目标 ${money(target)}` : ''}`,
  };
}

export interface HBarChart {
  width: number;
  height: number;
  labelWidth: number;
  bars: { y: number; width: number; label: string; value: string }[];
  label: string;
}

/** Horizontal bars (one per town), longest = full width. */
export function horizontalBars(items: { label: string; value: number; text: string }[], title: string): HBarChart {
  const labelWidth = 96;
  const width = 560;
  const rowHeight = 26;
  const max = Math.max(1, ...items.map((i) => i.value));
  const room = width - labelWidth - 110;
  return {
    width,
    height: items.length * rowHeight + 8,
    labelWidth,
    bars: items.map((item, i) => ({ y: 4 + i * rowHeight, width: round((item.value / max) * room), label: item.label, value: item.text })),
    label: `${title}：${items.map((i) => `${i.label} ${i.text}`).join('，')}`,
  };
}

const round = (v: number) => Math.round(v * 10) / 10;
