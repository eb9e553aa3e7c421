// The indicators the district counts (docs/design.md "Vocabulary", the action plan's targets): what each one is,
// its unit, and whether the platform computes it from its records or takes manual entries with evidence.
// `flow` indicators add up over a period (contracts signed); `level` ones are a state at a time (the number
// of high-tech enterprises, a ratio): the latest entry in the period counts.

export type Source = 'contracts' | 'contract-count' | 'talents' | 'demands' | 'matches' | 'roadshows' | 'visits' | 'manual';

export interface Indicator {
  code: string;
  label: string;
  unit: string;
  /** how a value is shown: 元 amounts as 万元/亿元, counts as they are, ratios with % */
  format: 'money' | 'count' | 'percent' | 'area';
  source: Source;
  aggregate: 'flow' | 'level';
  /** talents: the category counted */
  category?: string;
  lead?: string;
}

export const INDICATORS: Indicator[] = [
  { code: 'contract-value', label: '技术合同成交额', unit: '元', format: 'money', source: 'contracts', aggregate: 'flow', lead: '区科技局' },
  { code: 'contract-count', label: '技术合同数', unit: '份', format: 'count', source: 'contract-count', aggregate: 'flow', lead: '区科技局' },
  { code: 'talent-shortage', label: '引进高层次紧缺人才', unit: '人', format: 'count', source: 'talents', aggregate: 'flow', category: 'shortage', lead: '区委人才办' },
  { code: 'talent-innovative', label: '引进高端创新人才', unit: '人', format: 'count', source: 'talents', aggregate: 'flow', category: 'innovative', lead: '区委人才办' },
  { code: 'talent-graduate', label: '引进培养硕博及高端人才', unit: '人', format: 'count', source: 'talents', aggregate: 'flow', category: 'graduate', lead: '区委人才办' },
  { code: 'demands-published', label: '发布技术需求', unit: '项', format: 'count', source: 'demands', aggregate: 'flow', lead: '区科技局' },
  { code: 'matches-made', label: '成功对接', unit: '项', format: 'count', source: 'matches', aggregate: 'flow', lead: '区科技局' },
  { code: 'roadshows-held', label: '路演场次', unit: '场', format: 'count', source: 'roadshows', aggregate: 'flow', lead: '区科技局' },
  { code: 'expert-visits', label: '专家东宝行人次', unit: '人次', format: 'count', source: 'visits', aggregate: 'flow', lead: '区科技局' },
  { code: 'high-tech-enterprises', label: '高新技术企业', unit: '家', format: 'count', source: 'manual', aggregate: 'level', lead: '区科技局' },
  { code: 'tech-smes', label: '科技型中小企业', unit: '家', format: 'count', source: 'manual', aggregate: 'level', lead: '区科技局' },
  { code: 'rd-ratio', label: '全社会研发投入占GDP比重', unit: '%', format: 'percent', source: 'manual', aggregate: 'level', lead: '区科技局' },
  { code: 'enterprise-rd-ratio', label: '企业研发经费占主营业务收入比重', unit: '%', format: 'percent', source: 'manual', aggregate: 'level', lead: '区科技局' },
  { code: 'rd-institutions-ratio', label: '规上工业企业建立研发机构比例', unit: '%', format: 'percent', source: 'manual', aggregate: 'level', lead: '区科技局' },
  { code: 'incubation-area', label: '新增孵化载体面积', unit: '平方米', format: 'area', source: 'manual', aggregate: 'flow', lead: '区科技局' },
  { code: 'incubators', label: '省级以上创新创业载体', unit: '家', format: 'count', source: 'manual', aggregate: 'level', lead: '区科技局' },
  { code: 'invention-patents', label: '规上工业企业发明专利申请', unit: '件', format: 'count', source: 'manual', aggregate: 'flow', lead: '区市场监管局' },
  { code: 'sci-tech-finance', label: '科技金融支持', unit: '元', format: 'money', source: 'manual', aggregate: 'flow', lead: '区投融资服务中心' },
];

/** Indicators whose records carry a town (the buyer's, the employer's …); the others count for the district only. */
const TOWN_SOURCES: ReadonlySet<Source> = new Set(['contracts', 'contract-count', 'talents', 'demands', 'matches', 'visits']);
export const hasTownDimension = (ind: Indicator): boolean => TOWN_SOURCES.has(ind.source);
/** Whether a target may be set for a town: computed by town, or entered by hand for it. */
export const townScopeAllowed = (ind: Indicator): boolean => ind.source === 'manual' || hasTownDimension(ind);

const byCode = new Map(INDICATORS.map((i) => [i.code, i]));
export const INDICATOR_CODES = INDICATORS.map((i) => i.code) as [string, ...string[]];

export function indicator(code: string): Indicator | undefined {
  return byCode.get(code);
}

/** A value as people read it: 6.5 亿元, 120 万元, 2.69%, 30 人. */
export function formatValue(ind: Indicator, value: number): string {
  if (ind.format === 'money') return value >= 1e8 ? `${+(value / 1e8).toFixed(2)} 亿元` : `${+(value / 1e4).toFixed(1)} 万元`;
  if (ind.format === 'percent') return `${+value.toFixed(2)}%`;
  if (ind.format === 'area') return value >= 1e4 ? `${+(value / 1e4).toFixed(1)} 万平方米` : `${value} 平方米`;
  return `${value.toLocaleString('zh-CN')} ${ind.unit}`;
}
