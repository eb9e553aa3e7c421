// The platform's vocabulary: stored codes and the Chinese labels shown for them (docs/design.md "Vocabulary"),
// plus the district's towns and responsible units from the action plan. Codes are stored; labels are shown.
export type Labels<K extends string = string> = Readonly<Record<K, string>>;

function codes<const T extends Record<string, string>>(labels: T) {
  const keys = Object.keys(labels) as [keyof T & string, ...(keyof T & string)[]];
  return { labels: labels as Labels<keyof T & string>, keys };
}

export const industry = codes({
  electronics: '电子信息',
  building: '绿色建材与装配式建筑',
  chemicals: '磷化工与新材料',
  agriculture: '现代农业与食品',
  manufacturing: '智能制造与装备',
  health: '生命健康',
  energy: '新能源与节能环保',
  services: '现代服务业与文化旅游',
});

export const maturity = codes({
  lab: '实验室',
  'small-pilot': '小试',
  pilot: '中试',
  industrial: '产业化',
});
/** Order of maturity stages, for "at least this mature" comparisons. */
export const maturityRank: Readonly<Record<string, number>> = { lab: 0, 'small-pilot': 1, pilot: 2, industrial: 3 };

export const cooperationMode = codes({
  transfer: '技术转让',
  license: '技术许可',
  'joint-development': '合作开发',
  'commissioned-development': '委托开发',
  consulting: '技术咨询',
  service: '技术服务',
  equity: '技术入股',
  talent: '人才引进',
  'joint-platform': '共建研发平台',
});

export const demandKind = codes({
  'tech-problem': '技术难题攻关',
  'tech-introduction': '技术引进',
  'new-product': '新产品研发',
  'process-improvement': '工艺改进',
  testing: '检测认证',
  talent: '人才需求',
  equipment: '装备升级',
  other: '其他',
});

export const demandStatus = codes({
  draft: '草稿',
  published: '已发布',
  matching: '对接中',
  negotiating: '洽谈中',
  contracted: '已签约',
  closed: '已关闭',
});

export const contractType = codes({
  development: '技术开发',
  transfer: '技术转让',
  license: '技术许可',
  consulting: '技术咨询',
  service: '技术服务',
});

export const talentCategory = codes({
  shortage: '高层次紧缺人才',
  innovative: '高端创新人才',
  graduate: '硕博及高端人才',
});

export const talentMode = codes({
  'full-time': '全职引进',
  flexible: '柔性引进',
  'tech-vp': '科技副总',
});

/** A talent's highest degree (学历学位). */
export const degree = codes({
  doctor: '博士',
  master: '硕士',
  bachelor: '学士',
  other: '其他',
});

export const campaignKind = codes({
  'hundred-universities': '联百校转千果',
  'expert-visit': '专家东宝行',
  'institute-tour': '高校院所行',
  exhibition: '成果展示',
  fair: '技术交易会',
  roadshow: '项目路演',
});

export const institutionKind = codes({
  university: '高校',
  institute: '科研院所',
  lab: '新型研发机构',
});

export const role = codes({
  enterprise: '企业',
  institution: '高校院所',
  expert: '专家',
  broker: '技术经纪人',
  organizer: '区科技局',
});

export const scale = codes({
  'above-designated': '规上',
  'below-designated': '规下',
});

export const brokerLevel = codes({
  junior: '初级技术经纪人',
  intermediate: '中级技术经纪人',
  senior: '高级技术经纪人',
});

/** Towns, streets and the industrial park of 东宝区 (action plan §19 and its addressees). */
export const town = codes({
  lixi: '栗溪镇',
  mahe: '马河镇',
  xianju: '仙居乡',
  shiqiaoyi: '石桥驿镇',
  zilingpu: '子陵铺镇',
  pailou: '牌楼镇',
  longquan: '龙泉街道',
  quankou: '泉口街道',
  'industrial-park': '东宝工业园',
});

/** Lead and responsible units named in the action plan's task list. */
export const units = [
  '区科技局',
  '区经信局',
  '区发改局',
  '区财政局',
  '区税务局',
  '区市场监管局',
  '区农业农村局',
  '区人社局',
  '区委人才办',
  '区科协',
  '区招商局',
  '区商务局',
  '区乡村振兴局',
  '区投融资服务中心',
  '区重点产业服务中心',
] as const;

export const vocabularies = {
  industry,
  maturity,
  cooperationMode,
  demandKind,
  demandStatus,
  contractType,
  talentCategory,
  talentMode,
  degree,
  campaignKind,
  institutionKind,
  role,
  scale,
  brokerLevel,
  town,
} as const;

export type VocabularyName = keyof typeof vocabularies;

/** What each code list is, in Chinese: GET /api/v1/vocabulary (vocabulary/routes.ts) and the API documentation. */
export const vocabularyTitles: Readonly<Record<VocabularyName, string>> = {
  industry: '所属行业',
  maturity: '成熟度',
  cooperationMode: '合作方式',
  demandKind: '需求类型',
  demandStatus: '需求状态',
  contractType: '合同类型',
  talentCategory: '人才类别',
  talentMode: '引进方式',
  degree: '学历学位',
  campaignKind: '活动类型',
  institutionKind: '机构类型',
  role: '账户角色',
  scale: '企业规模',
  brokerLevel: '技术经纪人等级',
  town: '所在乡镇（街道、园区）',
};

export function labelOf(vocabulary: VocabularyName, code: string | undefined | null): string {
  if (!code) return '';
  const labels = vocabularies[vocabulary].labels as Record<string, string>;
  return labels[code] ?? code;
}

/**
 * A user's name with their account's role, as stored and shown beside what they did (pipeline history,
 * who recorded or verified a record, who asked): "张三（技术经纪人）". Nobody passes for 区科技局 by their name
 * alone — only an organizer's name carries "（区科技局）".
 */
export function nameWithRole(who: { name: string; role: string }): string {
  return `${who.name}（${labelOf('role', who.role)}）`;
}

/** [{ value, label }] for select boxes and checkbox groups. */
export function optionsOf(vocabulary: VocabularyName): { value: string; label: string }[] {
  return Object.entries(vocabularies[vocabulary].labels).map(([value, label]) => ({ value, label }));
}

/**
 * A code from what a person typed in a spreadsheet: the code itself or its Chinese label (also a label
 * without its 高新/镇 suffix variants is not guessed). Unknown text is returned as is, for the schema to refuse.
 */
export function codeFrom(vocabulary: VocabularyName, text: string | undefined): string | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  const labels = vocabularies[vocabulary].labels as Record<string, string>;
  if (t in labels) return t;
  const hit = Object.entries(labels).find(([, label]) => label === t);
  return hit ? hit[0] : t;
}

/** Several codes from "技术转让、合作开发" or "transfer,joint-development". */
export function codesFrom(vocabulary: VocabularyName, text: string | undefined): string[] {
  return (text ?? '')
    .split(/[、，,；;\n]+/)
    .map((s) => codeFrom(vocabulary, s))
    .filter((s): s is string => !!s);
}
