// Saved-search digests (docs/mail.md "Saved-search digests"): when a period ends, one mail per saved search names
// exactly the records that match it and became findable for its owner since the last digest — a draft written
// before a digest and published after it is in the next one, a record published between two digests is in exactly
// one, drafts, closed needs and records that do not match never are — through the outbox, to a real SMTP server on
// the loopback. Two runs in one period (or at once) write one mail; nothing new, no mail. The clock is moved, never read.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { advanceClock } from '../support/clock.ts';
import { apiToken } from '../support/agent.ts';
import { useMailDelivery } from '../support/mail.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';
import { transition } from '../../server/demands/service.ts';
import { results } from '../../server/results/service.ts';
import { savePreferences } from '../../server/mail/service.ts';
import { Outbox, type OutboxDoc } from '../../server/mail/model.ts';
import { SavedSearch, type SavedSearchDoc } from '../../server/saved-searches/model.ts';
import { LEASE_MS, periodEndAtOrBefore, sendSavedSearchDigests } from '../../server/saved-searches/digest.ts';
import { clock } from '../../server/platform/clock.ts';

const BASE = 'http://kj.dongbao.test:8080';
const t = buildTestApp({ env: { BASE_URL: BASE } });
const { app, settle } = t;
const { smtp, deliver } = useMailDelivery(t, BASE);
const DAY = 24 * 3_600_000;
const W = '钒钛磁铁矿';

let ent: Awaited<ReturnType<typeof owner>>;
let inst: Awaited<ReturnType<typeof owner>>;
let reader: Awaited<ReturnType<typeof apiToken>>;
let quiet: Awaited<ReturnType<typeof apiToken>>;
let organizer: Awaited<ReturnType<typeof apiToken>>;
const ids: Record<string, string> = {};
let daily: string;
let weekly: string;
let resultsOnly: string;
let muted: string;

const digest = () => sendSavedSearchDigests({ search: t.search, sync: t.sync, logger: t.logger });
const digestMails = (savedId: string) => Outbox.find({ kind: 'search.digest', key: new RegExp(`^saved-search:${savedId}:`) }).sort({ createdAt: 1, _id: 1 }).lean<OutboxDoc[]>();
const savedDoc = async (id: string) => (await SavedSearch.findById(id).lean<SavedSearchDoc>())!;
const need = async (key: string, title: string, fields: Record<string, unknown> = {}) => (ids[key] = (await demandOf(ent.actor, { title, keywords: [W, '选矿'], ...fields })).id);
const save = async (auth: Record<string, string>, body: object) => {
  const res = await request(app).post('/api/v1/saved-searches').set(auth).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
};
/** The record ids a digest mail names, from its stored data. */
const named = (mail: OutboxDoc) => ((mail.data as { items: { link: string }[] }).items ?? []).map((i) => i.link.split('/').pop()!).sort();
const idsOf = (...keys: string[]) => keys.map((k) => ids[k]!).sort();

beforeAll(async () => {
  ent = await owner('enterprise', { name: '东宝钒钛选矿测试有限公司' });
  inst = await owner('institution', { name: '武汉钒钛测试大学' });
  reader = await apiToken('expert');
  quiet = await apiToken('broker');
  organizer = await apiToken('organizer');
  // Published before the searches are saved: never new to them.
  await need('before', `${W}尾矿综合利用（保存前发布）`);
  await settle();
  daily = await save(reader.auth, { q: W, frequency: 'daily' });
  weekly = await save(reader.auth, { q: W, filters: { industry: 'chemicals' }, frequency: 'weekly' });
  resultsOnly = await save(reader.auth, { q: W, filters: { kind: 'result' }, frequency: 'daily' });
  muted = await save(quiet.auth, { q: W, frequency: 'daily' });
  await savePreferences(quiet.user, []); // turns the optional kinds off, this one included
});

describe('saved-search digests', () => {
  it('when the first day ends, then one mail names exactly the new matching records the owner may see, with links, sent through SMTP', async () => {
    await need('published', `${W}高效浮选技术需求`);
    await need('members', `${W}会员可见技术需求`, { visibility: 'members' }); // the owner is signed in: findable
    await need('draft', `${W}草稿技术需求`, { draft: true });
    await need('closed', `${W}已关闭技术需求`);
    await transition(ent.actor, ids.closed!, 'closed');
    await need('other', '稀土抛光粉回收技术需求', { keywords: ['稀土'] });
    ids.result = (await resultOf(inst.actor, { title: `${W}直接还原提钒成果`, keywords: [W] })).id;
    ids.resultDraft = (await resultOf(inst.actor, { title: `${W}钛渣酸解成果（草稿）`, keywords: [W], draft: true })).id;
    ids.importDraft = (await resultOf(inst.actor, { title: `${W}提钒尾渣利用成果`, keywords: [W], draft: true })).id;
    await settle();

    // The period has not ended: nothing is due, nothing written.
    expect(await digest()).toMatchObject({ due: 0, mailed: 0 });
    expect(await Outbox.countDocuments({ kind: 'search.digest' })).toBe(0);

    advanceClock(DAY); // Sunday 10:00 in Beijing: the day's period ended at 08:00
    const created = (await savedDoc(daily)).digestedUntil; // the moment it was saved
    const outcome = await digest();
    expect(outcome).toMatchObject({ mailed: 2, failed: 0, waiting: false }); // daily and results only; `muted` opted out
    const [mail, ...more] = await digestMails(daily);
    expect(more).toHaveLength(0);
    expect(mail!.key).toBe(`saved-search:${daily}:${created.toISOString()}`);
    expect(named(mail!)).toEqual(idsOf('published', 'members', 'result'));
    expect(named((await digestMails(resultsOnly))[0]!)).toEqual(idsOf('result'));
    expect(await digestMails(weekly)).toHaveLength(0); // weekly periods end on Mondays
    expect(await digestMails(muted)).toHaveLength(0); // turned off on /account: nothing written
    expect((await savedDoc(muted)).digestedUntil.getTime()).toBeGreaterThan(created.getTime()); // and nothing piles up

    // The watermark moved to the period's end, and only now that the mail is in the outbox.
    const after = await savedDoc(daily);
    expect(after.digestedUntil.toISOString()).toBe(periodEndAtOrBefore('daily', after.lastDigestAt!).toISOString());
    expect(after).toMatchObject({ lastDigestCount: 3, leaseUntil: new Date(0) });

    await deliver();
    const [got, ...others] = smtp.to(reader.user.email).filter((r) => r.mail.text?.includes(`${BASE}/demands/${ids.published}`));
    expect(others).toHaveLength(0);
    const text = got!.mail.text!;
    expect(got!.mail.subject).toBe(`已保存的搜索“关键词“${W}””有 3 条新内容`);
    expect(text).toContain(`· 技术需求：${W}高效浮选技术需求  ${BASE}/demands/${ids.published}`);
    expect(text).toContain(`· 科技成果：${W}直接还原提钒成果  ${BASE}/results/${ids.result}`);
    expect(text).toContain(`${BASE}/demands/${ids.members}`);
    for (const hidden of ['before', 'draft', 'closed', 'other', 'resultDraft', 'importDraft']) expect(text).not.toContain(ids[hidden]!);
    expect(text).toContain(`管理已保存的搜索：${BASE}/saved-searches`);
    expect(text).toMatch(new RegExp(`不想再收到“已保存搜索的新内容”类邮件：${BASE}/mail/unsubscribe/\\S+`));
    expect(got!.mail.html).toContain(`href="${BASE}/results/${ids.result}"`);
    for (const link of text.match(/https?:\/\/\S+/g)!) expect(link.startsWith(`${BASE}/`)).toBe(true);

    // Again in the same period: nothing is due, nothing more is written.
    expect(await digest()).toMatchObject({ due: 0, mailed: 0 });
    expect(await digestMails(daily)).toHaveLength(1);
  });

  it('when drafts written before the last digest are published after it, then the next digest names them and nothing already mailed; two runs at once write one mail', async () => {
    // Published between the two digests.
    await transition(ent.actor, ids.draft!, 'published');
    await results.update(inst.actor, ids.resultDraft!, { draft: false });
    // A spreadsheet row naming an existing result updates it, and publishes a draft.
    const csv = `成果名称,所属机构,所属行业,成熟度,成果简介,关键词\n${W}提钒尾渣利用成果,武汉钒钛测试大学,磷化工与新材料,中试,以提钒尾渣为原料制备微晶玻璃与陶瓷色料，已完成中试，产品性能稳定。,${W}\n`;
    const imported = await request(app).post('/api/v1/imports?kind=results&wait=1').set(organizer.auth).attach('file', Buffer.from(csv), '成果.csv');
    expect(imported.status, imported.text).toBeLessThan(300);
    expect((await results.get(inst.actor, ids.importDraft!)).status).toBe('published');
    await need('second', `${W}磁选尾矿再选技术需求`);
    // An edit of a record already mailed does not make it new.
    await results.update(inst.actor, ids.result!, { title: `${W}直接还原提钒成果（修订）` });
    // A record closed again before the digest is not findable by then: not mailed.
    await need('gone', `${W}发布后关闭的需求`);
    await transition(ent.actor, ids.gone!, 'closed');
    await settle();
    expect(await digest()).toMatchObject({ due: 0 });

    advanceClock(DAY); // Monday 10:00: a daily period and the first weekly period ended at 08:00
    const [first, second] = await Promise.all([digest(), digest()]);
    expect(first.mailed + second.mailed).toBe(3); // daily, results only, weekly — once each
    expect(first.failed + second.failed).toBe(0);
    const mails = await digestMails(daily);
    expect(mails).toHaveLength(2);
    expect(named(mails[1]!)).toEqual(idsOf('draft', 'resultDraft', 'importDraft', 'second'));
    expect(named((await digestMails(resultsOnly))[1]!)).toEqual(idsOf('resultDraft', 'importDraft'));
    // The weekly search covers Saturday to Monday 08:00 in one mail: every record published since it was saved.
    const [week, ...moreWeeks] = await digestMails(weekly);
    expect(moreWeeks).toHaveLength(0);
    expect(named(week!)).toEqual(idsOf('published', 'members', 'result', 'draft', 'resultDraft', 'importDraft', 'second'));

    // Across both daily digests, each matching record appeared exactly once.
    const all = mails.flatMap(named);
    expect(all.sort()).toEqual(idsOf('published', 'members', 'result', 'draft', 'resultDraft', 'importDraft', 'second'));

    await deliver();
    const got = smtp.to(reader.user.email).filter((r) => r.mail.text?.includes(`${BASE}/demands/${ids.second}`));
    expect(got).toHaveLength(2); // the daily and the weekly mail, each once
  });

  it('when nothing new matches in a period, then no mail is written and the watermark still moves', async () => {
    await need('unrelated', '香菇菌棒自动化生产技术需求', { keywords: ['香菇'], industry: 'agriculture' });
    await settle();
    const before = await savedDoc(daily);
    advanceClock(DAY);
    const outcome = await digest();
    expect(outcome).toMatchObject({ mailed: 0, failed: 0 });
    expect(outcome.empty).toBeGreaterThanOrEqual(2);
    expect(await digestMails(daily)).toHaveLength(2);
    const after = await savedDoc(daily);
    expect(after.digestedUntil.getTime() - before.digestedUntil.getTime()).toBe(DAY);
    expect(after.lastDigestAt).toEqual(before.lastDigestAt);
  });

  it('when another run holds a saved search, then this run leaves it alone; a deleted saved search gets no digest', async () => {
    await need('held', `${W}球团焙烧技术需求`);
    await settle();
    advanceClock(DAY);
    // Another instance took the search a moment ago (its lease runs for minutes).
    await SavedSearch.updateOne({ _id: daily }, { $set: { leaseUntil: new Date(clock.ms() + LEASE_MS), leaseOwner: 'another-instance' } });
    await request(app).delete(`/api/v1/saved-searches/${resultsOnly}`).set(reader.auth).expect(204);
    const outcome = await digest();
    expect(outcome.skipped).toBe(1);
    expect(await digestMails(daily)).toHaveLength(2);
    expect(await digestMails(resultsOnly)).toHaveLength(2);
    // Its lease released, the next run sends the period's mail with the record.
    await SavedSearch.updateOne({ _id: daily }, { $set: { leaseUntil: new Date(0) }, $unset: { leaseOwner: 1 } });
    expect(await digest()).toMatchObject({ mailed: 1 });
    const mails = await digestMails(daily);
    expect(mails).toHaveLength(3);
    expect(named(mails[2]!)).toEqual(idsOf('held'));
  });

  it('when a run died after writing the mail but before moving the watermark, then the next run writes no second mail and moves it', async () => {
    const [last] = (await digestMails(daily)).slice(-1);
    const from = new Date(last!.key.split(':').slice(2).join(':'));
    const before = await savedDoc(daily);
    await SavedSearch.updateOne({ _id: daily }, { $set: { digestedUntil: from } }); // as if the watermark had not moved
    const outcome = await digest();
    expect(outcome.failed).toBe(0);
    expect(await digestMails(daily)).toHaveLength(3); // the outbox key is the window's start: nothing new written
    expect((await savedDoc(daily)).digestedUntil).toEqual(before.digestedUntil);
  });
});

describe('digest periods', () => {
  it('end at 08:00 Beijing time, every day or on Mondays; a window ending at a boundary does not include it', () => {
    const at = (iso: string) => new Date(iso);
    // Saturday 5 December 2026, 10:00 in Beijing = 02:00Z.
    expect(periodEndAtOrBefore('daily', at('2026-12-05T02:00:00Z')).toISOString()).toBe('2026-12-05T00:00:00.000Z');
    expect(periodEndAtOrBefore('daily', at('2026-12-05T00:00:00Z')).toISOString()).toBe('2026-12-05T00:00:00.000Z');
    expect(periodEndAtOrBefore('daily', at('2026-12-04T23:59:59.999Z')).toISOString()).toBe('2026-12-04T00:00:00.000Z');
    expect(periodEndAtOrBefore('weekly', at('2026-12-05T02:00:00Z')).toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(periodEndAtOrBefore('weekly', at('2026-12-07T00:00:00Z')).toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(periodEndAtOrBefore('weekly', at('2026-12-06T23:59:00Z')).toISOString()).toBe('2026-11-30T00:00:00.000Z');
  });
});
