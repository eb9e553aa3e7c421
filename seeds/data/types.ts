// Shapes of the hand-written demo data. Amounts are in 万元 here for readability; the seed converts to 元.
// Codes are those of server/vocabulary/index.ts.
import type { industry, maturity, cooperationMode, demandKind, institutionKind, town, scale, brokerLevel } from '../../server/vocabulary/index.ts';

export type IndustryCode = (typeof industry.keys)[number];
export type MaturityCode = (typeof maturity.keys)[number];
export type ModeCode = (typeof cooperationMode.keys)[number];
export type DemandKindCode = (typeof demandKind.keys)[number];
export type InstitutionKindCode = (typeof institutionKind.keys)[number];
export type TownCode = (typeof town.keys)[number];
export type ScaleCode = (typeof scale.keys)[number];
export type BrokerLevelCode = (typeof brokerLevel.keys)[number];

export interface SeedContact {
  name: string;
  phone: string; // 11-digit mobile, e.g. "13972612345" (fictional)
  email?: string;
  wechat?: string;
}

export interface SeedEnterprise {
  name: string; // fictional, plausible: "荆门市东宝区XX科技有限公司"
  industry: IndustryCode;
  town: TownCode;
  scale: ScaleCode;
  highTech: boolean; // 高新技术企业
  techSme: boolean; // 科技型中小企业
  intro: string; // 60–150 chars: what it makes, where, how big
  contact: SeedContact;
}

export interface SeedInstitution {
  name: string; // real Hubei university / institute
  kind: InstitutionKindCode;
  province: string; // "湖北省"
  city: string; // "武汉市"
  intro: string; // 40–100 chars: strengths relevant to the district
  contact: SeedContact; // fictional technology-transfer office contact
}

export interface SeedExpert {
  name: string; // fictional person
  title: string; // 教授 / 研究员 / 副教授 / 高级工程师 / 正高级工程师 …
  institution: string; // exactly one SeedInstitution.name
  industries: IndustryCode[]; // 1–2
  keywords: string[]; // 3–6 expertise terms
  bio: string; // 60–150 chars
  availableForVisits: boolean; // 可参加“专家东宝行”
  contact: SeedContact;
}

export interface SeedBroker {
  name: string; // fictional person
  level: BrokerLevelCode;
  organization: string; // service organisation, e.g. "国家技术转移中部中心荆门分中心" or a fictional 科技服务有限公司
  specialties: IndustryCode[]; // 1–3
  bio: string; // 40–120 chars
  contact: SeedContact;
}

export interface SeedPatent {
  number: string; // "ZL202110123456.7" style (fictional)
  title: string;
}

export interface SeedResult {
  title: string; // 10–30 chars
  abstract: string; // 80–220 chars, concrete: what it is, key indicators, where it applies
  industry: IndustryCode;
  keywords: string[]; // 3–6
  maturity: MaturityCode;
  institution: string; // exactly one SeedInstitution.name
  transferModes: ModeCode[]; // 1–3
  askingPriceWan?: number; // 万元, omit for 面议
  patents?: SeedPatent[];
}

export interface SeedDemand {
  title: string; // 10–30 chars
  description: string; // 80–220 chars: the problem, current state, what is wanted
  industry: IndustryCode;
  keywords: string[]; // 3–6
  kind: DemandKindCode;
  cooperationModes: ModeCode[]; // 1–3
  budgetMinWan?: number;
  budgetMaxWan?: number;
  enterprise: string; // exactly one SeedEnterprise.name
  jiebang: boolean; // 揭榜挂帅
  // Broker-assisted clarification (some needs leave parts empty, as real ones do)
  indicator?: string; // 关键技术指标
  bottleneck?: string; // 当前瓶颈
  targetMaturity?: MaturityCode;
}
