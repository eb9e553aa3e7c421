// docs/design.md "Per-request work", signed-in pages at scale: the notice list and the results an expert leads
// are read from memory after the first view, and any write to their collection — through a service or straight
// through the model, as the command line or another instance would — shows on the next view.
import { Collection } from 'mongodb';
import { describe, expect, it, vi } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent, userAgent } from '../support/agent.ts';
import request from 'supertest';
import { notifyUsers } from '../../server/notifications/service.ts';
import { Notification } from '../../server/notifications/model.ts';
import { Expert } from '../../server/experts/model.ts';
import { Result } from '../../server/results/model.ts';
import { Demand } from '../../server/demands/model.ts';
import { Enterprise } from '../../server/organizations/model.ts';
import { Roadshow } from '../../server/campaigns/model.ts';
import { Target } from '../../server/targets/model.ts';
import { Contract } from '../../server/deals/model.ts';
import { currentYear } from '../../server/platform/time.ts';
import { demandOf, owner } from '../support/directory.ts';
import { at, makeCampaign, roadshowBody } from '../campaigns/support.ts';
import { pollNow } from '../../server/platform/db/shared-cache.ts';
import { clock } from '../../server/platform/clock.ts';
import { advanceClock } from '../support/clock.ts';

const { app, settle } = buildTestApp();

/** How many reads fn sent to the collection. */
async function readsOf(collection: string, fn: () => Promise<unknown>): Promise<number> {
  const spies = (['find', 'findOne', 'countDocuments', 'aggregate'] as const).map((m) => vi.spyOn(Collection.prototype, m));
  try {
    await fn();
    return spies.reduce((n, spy) => n + (spy.mock.contexts as Collection[]).filter((c) => c.collectionName === collection).length, 0);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** The views fn rendered. */
async function renders(fn: () => Promise<unknown>): Promise<unknown[]> {
  const spy = vi.spyOn(app, 'render');
  try {
    await fn();
    return spy.mock.calls.map((c) => c[0]);
  } finally {
    spy.mockRestore();
  }
}

describe('page caches', () => {
  it('when a user opens the notice list again, then notices are not read; a new notice and a deleted one show at once', async () => {
    const { agent, user } = await userAgent(app, 'enterprise');
    await notifyUsers([user.id], { kind: 'test', title: '第一条通知' });
    await pollNow();
    expect((await agent.get('/notifications').expect(200)).text).toContain('第一条通知');
    expect(await readsOf('notifications', () => agent.get('/notifications').expect(200))).toBe(0);

    await notifyUsers([user.id], { kind: 'test', title: '第二条通知' });
    expect((await agent.get('/notifications').expect(200)).text).toContain('第二条通知');

    await Notification.deleteMany({ user: user.id, title: '第一条通知' });
    const after = (await agent.get('/notifications').expect(200)).text;
    expect(after).not.toContain('第一条通知');
    expect(after).toContain('第二条通知');
  });

  it('when an expert page is opened again, then results are not read; a result led by the expert, or no longer, shows at once', async () => {
    const { agent } = await userAgent(app, 'enterprise');
    const expert = await Expert.create({ name: '缓存测试专家', title: '教授', industries: ['chemicals'], keywords: ['磷石膏'] });
    const id = String(expert._id);
    await settle();
    await pollNow();
    expect((await agent.get(`/experts/${id}`).expect(200)).text).not.toContain('磷石膏净化缓存测试');
    expect(await readsOf('results', () => agent.get(`/experts/${id}`).expect(200))).toBe(0);

    const result = await Result.create({ title: '磷石膏净化缓存测试', abstract: '水洗与浮选联合净化。', industry: 'chemicals', maturity: 'pilot', institution: '0123456789abcdef01234567', institutionName: '湖北大学', leadExpert: id });
    expect((await agent.get(`/experts/${id}`).expect(200)).text).toContain('磷石膏净化缓存测试');

    await Result.updateOne({ _id: result._id }, { $set: { leadExpert: '0123456789abcdef01234567' } });
    expect((await agent.get(`/experts/${id}`).expect(200)).text).not.toContain('磷石膏净化缓存测试');
  });
  it("when the broker workbench is opened again, then needs are not read; a need published, claimed or deleted anywhere shows at once", async () => {
    const { auth } = await apiToken('organizer');
    const queue = async () => (await request(app).get('/api/v1/broker/queue?limit=100').set(auth).expect(200)).body as { needs: { id: string }[]; unassigned: { items: { id: string }[]; total: number } };
    const need = await Demand.create({ title: '工作台缓存测试需求', description: '磷石膏煅烧工艺。', industry: 'chemicals', enterprise: '0123456789abcdef01234567', enterpriseName: '东宝区某化工有限公司', status: 'published' });
    const id = String(need._id);
    await settle(); // the need is indexed (and its matches announced) before reads are counted
    await pollNow();
    expect((await queue()).unassigned.items.map((i) => i.id)).toContain(id);
    expect(await readsOf('demands', queue)).toBe(0);

    // Claimed (straight through the model, as another door would): it leaves 待认领 and joins the held needs.
    await Demand.updateOne({ _id: need._id }, { $set: { broker: '0123456789abcdef01234599', brokerName: '缓存测试经纪人' } });
    const claimed = await queue();
    expect(claimed.unassigned.items.map((i) => i.id)).not.toContain(id);
    expect(claimed.needs.map((n) => n.id)).toContain(id);

    await Demand.deleteOne({ _id: need._id });
    expect((await queue()).needs.map((n) => n.id)).not.toContain(id);
  });
  it("when the broker workbench is opened after a need changed, then needs are read by _id only (lists come from the search index)", async () => {
    const broker = await owner('broker');
    const held = await Demand.create({ title: '工作台按编号读取的需求', description: '磷石膏煅烧工艺。', industry: 'chemicals', enterprise: '0123456789abcdef01234567', enterpriseName: '东宝区某化工有限公司', status: 'published', broker: broker.id, brokerName: '编号读取测试经纪人' });
    const waiting = await Demand.create({ title: '工作台按编号读取的待认领需求', description: '磷渣微晶玻璃。', industry: 'chemicals', enterprise: '0123456789abcdef01234567', enterpriseName: '东宝区某化工有限公司', status: 'published' });
    await settle();
    const spies = (['find', 'findOne', 'countDocuments', 'aggregate'] as const).map((m) => vi.spyOn(Collection.prototype, m));
    let filters: unknown[] = [];
    try {
      const body = (await request(app).get('/api/v1/broker/queue?industry=chemicals&limit=100').set(broker.auth).expect(200)).body as { needs: { id: string }[]; unassigned: { items: { id: string }[] } };
      expect(body.needs.map((n) => n.id)).toEqual([String(held._id)]);
      expect(body.unassigned.items.map((n) => n.id)).toContain(String(waiting._id));
      filters = spies.flatMap((spy) => spy.mock.calls.filter((_, i) => (spy.mock.contexts[i] as Collection).collectionName === 'demands').map((args) => args[0] ?? {}));
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(filters.length).toBeGreaterThan(0); // the first view read the needs it shows …
    for (const f of filters) expect(Object.keys(f as object)).toEqual(['_id']); // … each by _id alone
  });

  it("when the broker workbench page is opened again, then it is not rendered again; each session's claim forms carry its own token, and a claim from a kept page works", async () => {
    const broker = await owner('broker');
    const need = await Demand.create({ title: '保留工作台认领测试需求', description: '磷石膏煅烧工艺。', industry: 'chemicals', enterprise: '0123456789abcdef01234567', enterpriseName: '东宝区某化工有限公司', status: 'published' });
    const id = String(need._id);
    await settle();
    await pollNow();
    const tab = await loginAgent(app, broker.user.email);
    const other = await loginAgent(app, broker.user.email); // another device: another session
    const claimToken = (html: string) => new RegExp(`action="/demands/${id}/claim" class="inline-form"><input type="hidden" name="_csrf" value="([^"]+)"`).exec(html)?.[1];
    const first = (await tab.get('/broker').expect(200)).text;
    expect(claimToken(first)).toBeTruthy();

    let kept = '';
    const rendered = vi.spyOn(app, 'render');
    try {
      kept = (await other.get('/broker').expect(200)).text;
      expect(rendered.mock.calls.map((c) => c[0])).toEqual([]); // the whole page was kept: the same header
    } finally {
      rendered.mockRestore();
    }
    expect(kept).not.toContain('csrf-slot-');
    expect(claimToken(kept)).toBeTruthy();
    // the other session's token does not pass for this one; its own token, from the kept page, does
    await other.post(`/demands/${id}/claim`).type('form').send({ _csrf: claimToken(first) }).expect(403);
    await other.post(`/demands/${id}/claim`).type('form').send({ _csrf: claimToken(kept) }).expect(303);
    expect((await Demand.findById(id).lean<{ broker?: string }>())?.broker).toBe(broker.id);
    // the claim is a write: the next view shows the need among the broker's own
    expect((await other.get('/broker').expect(200)).text).toContain(`/demands/${id}/pipeline`);
  });

  it("when a need's page is opened again, then its enterprise is not read; the enterprise's contact changed anywhere shows at once", async () => {
    const ent = await owner('enterprise');
    const need = await demandOf(ent.actor, { title: '需求页企业缓存测试' });
    await settle();
    await pollNow();
    const agent = await loginAgent(app, ent.user.email); // the owner sees its own contact
    const page = async () => (await agent.get(`/demands/${need.id}`).expect(200)).text;
    expect(await page()).toContain('需求页企业缓存测试');
    expect(await readsOf('enterprises', page)).toBe(0);
    await Enterprise.updateOne({ _id: ent.id }, { $set: { 'contact.phone': '13900001234' } });
    expect(await page()).toContain('13900001234');
  });

  it('when the calendar is opened again, then roadshows and visits are not read; a roadshow renamed or deleted anywhere shows at once', async () => {
    const { auth } = await apiToken('organizer');
    const { agent } = await userAgent(app, 'enterprise');
    const campaign = await makeCampaign(app, auth);
    const made = await request(app).post('/api/v1/roadshows').set(auth).send(roadshowBody(campaign, { title: '日历缓存路演', startsAt: at(1, 2, '09:00'), endsAt: at(1, 2, '11:00') })).expect(201);
    const week = `/calendar?date=${at(1, 2, '09:00').slice(0, 10)}`;
    await pollNow();
    expect((await agent.get(week).expect(200)).text).toContain('日历缓存路演');
    expect(await readsOf('roadshows', () => agent.get(week).expect(200))).toBe(0);
    expect(await readsOf('visits', () => agent.get(week).expect(200))).toBe(0);

    await Roadshow.updateOne({ _id: made.body.id }, { $set: { title: '日历缓存路演（改名）' } });
    expect((await agent.get(week).expect(200)).text).toContain('日历缓存路演（改名）');
    await Roadshow.updateOne({ _id: made.body.id }, { $set: { deletedAt: clock.now() } });
    expect((await agent.get(week).expect(200)).text).not.toContain('日历缓存路演');
  });

  it('when the target board is opened again, then targets and tallies are not read; a target changed anywhere shows at once', async () => {
    const organizer = await userAgent(app, 'organizer');
    await pollNow();
    await organizer.agent.get('/targets').expect(200);
    expect(await readsOf('targets', () => organizer.agent.get('/targets').expect(200))).toBe(0);
    expect(await readsOf('target_tallies', () => organizer.agent.get('/targets').expect(200))).toBe(0);
    const ids = async () => ((await request(app).get('/api/v1/targets?limit=100&indicator=contract-count')).body as { items: { id: string }[] }).items.map((t) => t.id);
    const before = await ids();
    const target = await Target.create({ indicator: 'contract-count', startYear: 2031, endYear: 2031, scope: { kind: 'district', code: 'dongbao' }, value: 77, note: '缓存测试目标' });
    expect(await ids()).toEqual([...before, String(target._id)]);
    await Target.deleteOne({ _id: target._id });
    expect(await ids()).toEqual(before);
  });

  it('when the target board is opened again within the minute, then it is not rendered again; a registered contract shows at once, and the next minute makes it again', async () => {
    const organizer = await userAgent(app, 'organizer');
    const year = currentYear();
    const target = await Target.create({ indicator: 'contract-count', startYear: year, endYear: year, scope: { kind: 'district', code: 'district' }, value: 9_999, note: '看板保留测试' });
    const id = String(target._id);
    /** the board's row of this target, and the figure the API gives for it */
    const row = (html: string) => html.split('<tr>').find((r) => r.includes(`/targets/plan/${id}"`)) ?? '';
    const apiFigure = async () =>
      ((await organizer.agent.get('/api/v1/targets/progress').query({ year, indicator: 'contract-count' }).expect(200)).body as { items: { id: string; actualText: string }[] }).items.find((i) => i.id === id)!.actualText;
    const board = async () => (await organizer.agent.get(`/targets?year=${year}`).expect(200)).text;
    await pollNow(); // this process's own stamp, read back, drops its caches once more: before the views, not between

    const first = await board();
    expect(row(first)).toContain(await apiFigure());
    expect(await renders(board)).toEqual([]);
    // another viewer's board is kept apart: no organizer links
    const visitor = (await (await userAgent(app, 'enterprise')).agent.get(`/targets?year=${year}`).expect(200)).text;
    expect(visitor).toContain('创新型县（市、区）建设目标进度');
    expect(visitor).not.toContain(`/targets/plan/${id}"`);

    const before = await apiFigure();
    const now = clock.now();
    await Contract.create({
      title: '看板保留测试合同', type: 'development', buyer: '0123456789abcdef01234567', buyerName: '看板测试企业', seller: { kind: 'outside', name: '某大学' },
      amount: 100_000, signedAt: now, signedYear: year, verified: true, registration: { number: '2026420000000001', date: now }, registeredYear: year,
    });
    await settle();
    const after = await apiFigure();
    expect(after).not.toBe(before);
    expect(row(await board())).toContain(after);

    // within the minute the board is kept; in the next minute it is made again (the time progress may have moved)
    await pollNow();
    await board();
    expect(await renders(board)).toEqual([]);
    advanceClock(60_000);
    expect(await renders(board)).toEqual(['targets/dashboard', 'shared/kept-body']); // the body rendered, then the page
  });

  it('when the contract list is opened again, then it is neither read nor rendered again; a contract written anywhere shows at once, and each party sees its own', async () => {
    const buyer = await owner('enterprise', { name: '保留列表测试企业' });
    const seller = { kind: 'outside' as const, name: '某大学' };
    const contract = (title: string, buyerId = buyer.id) =>
      Contract.create({ title, type: 'development', buyer: buyerId, buyerName: '保留列表测试企业', seller, amount: 100_000, signedAt: clock.now(), signedYear: currentYear(), verified: false });
    await contract('保留列表的第一份合同');
    await pollNow(); // this process's own stamp, read back, drops its caches once more: before the views, not between
    const { agent } = await userAgent(app, 'organizer');
    const first = (await agent.get('/contracts').expect(200)).text;
    expect(first).toContain('保留列表的第一份合同');
    let again = '';
    const rendered = vi.spyOn(app, 'render');
    try {
      expect(await readsOf('contracts', async () => (again = (await agent.get('/contracts').expect(200)).text))).toBe(0);
      expect(rendered.mock.calls.map((c) => c[0])).toEqual([]); // the whole page was kept: the same header
    } finally {
      rendered.mockRestore();
    }
    // the same page, apart from the header's per-request CSRF token
    const withoutToken = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, '');
    expect(withoutToken(again)).toBe(withoutToken(first));

    await Contract.updateOne({ title: '保留列表的第一份合同' }, { $set: { title: '保留列表的合同（已改名）' } });
    expect((await agent.get('/contracts').expect(200)).text).toContain('保留列表的合同（已改名）');
    await contract('保留列表的第二份合同', '0123456789abcdef01234567');
    const page = (await agent.get('/contracts').expect(200)).text;
    expect(page).toContain('保留列表的第二份合同');

    // the enterprise's own list is kept apart from the organizer's: only its own contract
    const mine = await (await loginAgent(app, buyer.user.email)).get('/contracts').expect(200);
    expect(mine.text).toContain('保留列表的合同（已改名）');
    expect(mine.text).not.toContain('保留列表的第二份合同');
  });

  it("when an enterprise opens its own needs again, then the list is not rendered again while the index is unchanged; a need it adds shows once the index has it", async () => {
    const ent = await owner('enterprise', { name: '保留需求列表测试企业' });
    await demandOf(ent.actor, { title: '保留需求列表的第一项' });
    await settle();
    const agent = await loginAgent(app, ent.user.email);
    expect((await agent.get('/demands?mine=1').expect(200)).text).toContain('保留需求列表的第一项');
    const rendered = vi.spyOn(app, 'render');
    try {
      await agent.get('/demands?mine=1').expect(200);
      expect(rendered.mock.calls.map((c) => c[0])).toEqual([]); // the whole page was kept: the same header
    } finally {
      rendered.mockRestore();
    }
    await demandOf(ent.actor, { title: '保留需求列表的第二项' });
    await settle();
    const page = (await agent.get('/demands?mine=1').expect(200)).text;
    expect(page).toContain('保留需求列表的第二项');
    expect(page).toContain('保留需求列表的第一项');
    // another enterprise's list of its own is its own
    const other = await owner('enterprise');
    const theirs = (await (await loginAgent(app, other.user.email)).get('/demands?mine=1').expect(200)).text;
    expect(theirs).not.toContain('保留需求列表的第一项');
  });

  it('when a kept page is opened again after the header changed, then the new unread count shows, and a flash message shows once', async () => {
    const { agent, user } = await userAgent(app, 'enterprise');
    await pollNow(); // this process's own stamps, read back, drop its caches once more: before the views, not between
    const calendar = async () => (await agent.get('/calendar').expect(200)).text;
    expect(await calendar()).not.toContain('条未读');
    expect(await renders(calendar)).toEqual([]);

    await notifyUsers([user.id], { kind: 'test', title: '页眉计数测试通知' });
    let page = '';
    expect(await renders(async () => (page = await calendar()))).toEqual(['shared/kept-body']); // the layout again, not the body
    expect(page).toMatch(/<span class="badge">1<span class="visually-hidden"> 条未读<\/span>/);

    const revoked = await agent.post('/calendar/feed/revoke').type('form').send({ _csrf: csrfFrom(page) }).expect(303);
    expect(revoked.headers.location).toBe('/calendar#feed');
    expect(await calendar()).toContain('已停用订阅地址');
    expect(await calendar()).not.toContain('已停用订阅地址');
  });

  it('when a kept page is asked for with a bad value or a repeated parameter, then the default page or a 400 answers, and the good address is still kept', async () => {
    const organizer = await loginAgent(app, (await apiToken('organizer')).user.email);
    for (const [good, bad] of [
      ['/notifications', '/notifications?page=abc'],
      ['/calendar', '/calendar?view=year'],
      ['/targets', '/targets?year=abc'],
      ['/contact-requests', '/contact-requests?status=nonsense'],
    ] as const) {
      const page = await organizer.get(good).expect(200);
      expect(await renders(() => organizer.get(good).expect(200))).toEqual([]); // kept
      const fallback = await organizer.get(bad).expect(200); // a bad value reads as the default
      const h1 = (html: string) => /<h1[^>]*>[^<]*<\/h1>/.exec(html)?.[0];
      expect(h1(page.text), good).toMatch(/<h1/);
      expect(h1(fallback.text), bad).toBe(h1(page.text));
      for (let i = 0; i < 2; i++) {
        const refused = await organizer.get(`${good}?page=1&page=2`);
        expect(refused.status, good).toBe(400);
        expect(refused.text, good).not.toContain('csrf-slot-');
      }
      expect(await renders(() => organizer.get(good).expect(200))).toEqual([]);
    }
  });
});
