// The demo data: the directory, the 2026 campaigns with roadshows and visits, and the target ledger, all made
// through the services; a second run adds nothing; the dashboard has something to show for every part.
import { describe, expect, it } from 'vitest';
import { seedDemo } from '../../seeds/demo.ts';
import { describeSummary, DEMO_TOTP_SECRET } from '../../seeds/index.ts';
import { Demand, type DemandDoc } from '../../server/demands/model.ts';
import { findByEmail } from '../../server/accounts/service.ts';
import { Campaign, Roadshow, Visit, type CampaignDoc, type RoadshowDoc } from '../../server/campaigns/model.ts';
import { progressOf } from '../../server/campaigns/progress.ts';
import { Contract } from '../../server/deals/model.ts';
import { progress } from '../../server/targets/service.ts';

describe('seedDemo', () => {
  it('when run twice, then the demo exists once: directory, campaigns, roadshows, visits and the ledger', async () => {
    const now = new Date('2026-11-27T02:00:00Z');
    const first = await seedDemo(now);
    expect(first.created).toMatchObject({ institutions: 23, enterprises: 60, campaigns: 2, roadshows: 2, visits: 5, reports: 10, followUps: 5, targets: 25, entries: 17 });
    expect(first.created.registrations).toBeGreaterThanOrEqual(6);
    expect(first.created.contracts).toBeGreaterThan(150);
    expect(first.created.talents).toBeGreaterThan(100);
    const second = await seedDemo(now);
    expect(Object.values(second.created).every((n) => n === 0), JSON.stringify(second.created)).toBe(true);
    expect(await Campaign.countDocuments({})).toBe(2);
    expect(await Roadshow.countDocuments({})).toBe(2);
    expect(await Visit.countDocuments({})).toBe(5);

    const hundred = (await Campaign.findOne({ kind: 'hundred-universities' }).lean<CampaignDoc>())!;
    const funnel = await progressOf(hundred, now);
    expect(funnel.funnel.totals.contacted).toBe(12);
    expect(funnel.funnel.totals.results).toBeGreaterThan(10);
    expect(funnel.events.registrations).toBe(first.created.registrations);
    const shows = await Roadshow.find({}).lean<RoadshowDoc[]>();
    expect(shows.map((r) => r.title).sort()).toEqual(['电子信息专场', '磷化工与新材料专场']);
    expect(shows.every((r) => r.slots.length >= 3)).toBe(true);

    // The ledger: 2022 behind on contract value (red: the action plan's 6.5 亿 is the whole district's, the demo's
    // enterprises sign under 1 亿 a year), the visits of the week counted, a few contracts waiting for
    // verification this year.
    const y2022 = await progress({ year: 2022, indicator: 'contract-value', scope: 'district' }, now);
    expect(y2022.items[0]).toMatchObject({ target: 650_000_000, status: 'red' });
    expect(y2022.items[0]!.actual).toBeGreaterThan(0);
    const visits = await progress({ year: 2026, indicator: 'expert-visits' }, now);
    expect(visits.items[0]!.actual).toBeGreaterThan(0);
    expect(await Contract.countDocuments({ verified: false })).toBeGreaterThan(0);

    // Demo brokers work confirmed assignments, and the demo organizer signs in with the two-step secret the
    // summary prints (organizers must use two-step login).
    const assigned = (await Demand.find({ deletedAt: null }).lean<DemandDoc[]>()).filter((d) => d.broker);
    expect(assigned.length).toBeGreaterThan(20);
    expect(assigned.filter((d) => !d.brokerConfirmedAt)).toEqual([]);
    expect((await findByEmail('kjj@dongbao.demo'))?.totpEnabled).toBe(true);
    expect(describeSummary(first)).toContain(`kjj@dongbao.demo           Dongbao-Demo-2026  two-step login (TOTP) secret ${DEMO_TOTP_SECRET}`);
  }, 180_000);
});
