// What the browser journeys start from, made through the services in the test file's own database: an
// organizer, a broker with a profile, an institution with results on 磷石膏 (and one on something else), an
// expert on 磷石膏, an enterprise with a need, and a campaign covering the coming weeks. Names are fixed, so
// screenshots and assertions do not depend on the clock.
import { DateTime } from 'luxon';
import type { Actor } from '../../server/platform/auth/actor.ts';
import { parse } from '../../server/platform/http/validate.ts';
import { campaigns } from '../../server/campaigns/campaign-service.ts';
import { campaignInput } from '../../server/campaigns/schema.ts';
import { makeCreditCode } from '../../server/organizations/credit-code.ts';
import { targets } from '../../server/targets/service.ts';
import { targetInput } from '../../server/targets/schema.ts';
import { makeUser, PASSWORD } from '../support/agent.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';
import { clock } from '../../server/platform/clock.ts';

export const ZONE = 'Asia/Shanghai';
export { PASSWORD };

/** Today in Beijing, as a date input wants it ("2026-11-27"). */
export const today = (): string => DateTime.fromJSDate(clock.now(), { zone: ZONE }).toISODate()!;
export const thisYear = (): number => DateTime.fromJSDate(clock.now(), { zone: ZONE }).year;
/** A Beijing day `days` from today as "yyyy-MM-dd". */
export const dayFromToday = (days: number): string => DateTime.fromJSDate(clock.now(), { zone: ZONE }).plus({ days }).toISODate()!;

/** A valid 统一社会信用代码 that no other fixture uses (n is the caller's own number). */
export const creditCodeFor = (n: number): string => makeCreditCode(900_000 + n);

export const TITLES = {
  result: '磷石膏制备α型高强石膏技术',
  result2: '磷石膏净化与建材化利用技术',
  unrelated: '香菇低温节能烘干工艺',
  need: '磷石膏综合利用与降本技术需求',
};

export interface Fixtures {
  organizer: { email: string; name: string; actor: Actor };
  broker: { email: string; name: string; id: string };
  enterprise: { email: string; id: string; actor: Actor; needId: string };
  institution: { email: string; id: string; actor: Actor };
  expert: { id: string; name: string };
  results: { phospho: string; phospho2: string; unrelated: string };
  campaign: { id: string; name: string };
}

export async function seedFixtures(): Promise<Fixtures> {
  const organizer = await makeUser('organizer', { name: '区科技局（测试）' });
  const broker = await owner('broker', { name: '周经纪' });
  const institution = await owner('institution', { name: '荆楚理工学院（测试）' });
  const expert = await owner('expert', { name: '李磷石', title: '教授', keywords: ['磷石膏', '综合利用', '高强石膏'], industries: ['chemicals', 'building'] });
  const phospho = await resultOf(institution.actor, {
    title: TITLES.result,
    keywords: ['磷石膏', '高强石膏', '综合利用'],
  });
  const phospho2 = await resultOf(institution.actor, {
    title: TITLES.result2,
    abstract: '磷石膏经水洗、浮选去除可溶磷和氟，制备纸面石膏板和石膏砌块，综合利用率可达 90%。',
    keywords: ['磷石膏', '净化', '石膏板'],
    maturity: 'industrial',
  });
  const unrelated = await resultOf(institution.actor, {
    title: TITLES.unrelated,
    abstract: '采用热泵低温烘干香菇，能耗降低 40%，品相稳定，适合山区合作社。',
    industry: 'agriculture',
    keywords: ['香菇', '烘干', '热泵'],
    maturity: 'industrial',
  });
  const enterprise = await owner('enterprise', { name: '东宝磷化示范企业', creditCode: creditCodeFor(1) });
  const need = await demandOf(enterprise.actor, { title: TITLES.need });
  const campaignName = '2026年项目路演（测试）';
  const campaign = await campaigns.create(
    organizer,
    parse(campaignInput, { kind: 'roadshow', name: campaignName, startsOn: dayFromToday(-30), endsOn: dayFromToday(120) }),
  );
  return {
    organizer: { email: organizer.email, name: organizer.name, actor: organizer },
    broker: { email: broker.user.email, name: '周经纪', id: broker.id },
    enterprise: { email: enterprise.user.email, id: enterprise.id, actor: enterprise.actor, needId: need.id },
    institution: { email: institution.user.email, id: institution.id, actor: institution.actor },
    expert: { id: expert.id, name: '李磷石' },
    results: { phospho: phospho.id, phospho2: phospho2.id, unrelated: unrelated.id },
    campaign: { id: campaign.id, name: campaignName },
  };
}

/** This year's district target for technology-contract value (in 元), as the bureau would set it. */
export async function seedContractTarget(organizer: Actor, value = 50_000_000): Promise<string> {
  return (await targets.create(organizer, parse(targetInput, { indicator: 'contract-value', year: thisYear(), scope: 'district', value }))).id;
}
