// Issue 19: 我的行程 — an expert sees the visits and roadshow slots planned for them (where, whom to ask for, the
// time between stops), confirms or declines each; the bureau sees the answer and is told of a decline; a change of
// the plan asks again; the profile lists past visits. Through the pages (session, CSRF) and the API.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent, type Agent } from '../support/agent.ts';
import { owner } from '../support/directory.ts';
import { advanceClock } from '../support/clock.ts';
import { Notification } from '../../server/notifications/model.ts';
import { Audit } from '../../server/audit/model.ts';
import { at, makeCampaign, roadshowBody } from './support.ts';

const { app } = buildTestApp();
let organizer: Awaited<ReturnType<typeof apiToken>>;
let expert: Awaited<ReturnType<typeof owner>>;
let other: Awaited<ReturnType<typeof owner>>;
let host: Awaited<ReturnType<typeof owner>>;
let agent: Agent;
let visitId: string;
let roadshowId: string;

beforeAll(async () => {
  organizer = await apiToken('organizer');
  const visits = await makeCampaign(app, organizer.auth, { kind: 'expert-visit', name: '专家东宝行（行程测试）' });
  const shows = await makeCampaign(app, organizer.auth, { kind: 'roadshow', name: '项目路演（行程测试）' });
  expert = await owner('expert', { name: '程行路' });
  other = await owner('expert', { name: '别的专家' });
  host = await owner('enterprise', { name: '东宝区行程接待公司', contact: { name: '王接待', phone: '13800001234', email: 'host@example.cn' } });
  visitId = (
    await request(app)
      .post('/api/v1/visits')
      .set(organizer.auth)
      .send({ campaign: visits, expert: expert.id, stops: [{ enterprise: host.id, startsAt: at(2, 1, '09:00'), minutes: 90 }] })
      .expect(201)
  ).body.id;
  roadshowId = (
    await request(app)
      .post('/api/v1/roadshows')
      .set(organizer.auth)
      .send(roadshowBody(shows, { startsAt: at(3, 2, '14:00'), endsAt: at(3, 2, '17:00'), slots: [{ kind: 'expert', ref: expert.id, startsAt: at(3, 2, '14:00'), minutes: 30 }] }))
      .expect(201)
  ).body.id;
  agent = await loginAgent(app, expert.user.email);
});

async function answer(fields: Record<string, string>) {
  const page = await agent.get('/itinerary').expect(200);
  return agent.post('/itinerary/reply').type('form').send({ _csrf: csrfFrom(page.text), ...fields });
}

describe('我的行程', () => {
  it('when the expert opens 我的行程, then both engagements are listed with the host and its contact, waiting for an answer', async () => {
    const page = await agent.get('/itinerary').expect(200);
    expect(page.text).toContain('href="/itinerary"'); // in the navigation
    expect(page.text).toContain('东宝区行程接待公司');
    expect(page.text).toContain('王接待');
    expect(page.text).toContain('13800001234');
    expect(page.text).toContain(`/roadshows/${roadshowId}`);
    expect(page.text.match(/待确认/g)?.length).toBe(2);
    expect(page.headers['cache-control']).toContain('no-store');
    expect(await Audit.countDocuments({ action: 'contact.reveal', targetId: visitId, actorId: expert.user.id })).toBe(1); // the reveal is audited
    const api = await request(app).get('/api/v1/itinerary').set(expert.auth).expect(200);
    expect(api.body.items.map((i: { kind: string }) => i.kind)).toEqual(['visit', 'slot']);
  });

  it('when the expert opens 我的行程 again, then the view is audited again, and a changed host contact shows at once', async () => {
    const before = await Audit.countDocuments({ action: 'contact.reveal', targetId: visitId, actorId: expert.user.id });
    const again = await agent.get('/itinerary').expect(200); // the kept page
    expect(again.text).toContain('13800001234');
    expect(await Audit.countDocuments({ action: 'contact.reveal', targetId: visitId, actorId: expert.user.id })).toBe(before + 1);
    await request(app).patch(`/api/v1/enterprises/${host.id}`).set(host.auth).send({ contact: { name: '李新接待', phone: '13900005678', email: 'host@example.cn' } }).expect(200);
    const changed = await agent.get('/itinerary').expect(200);
    expect(changed.text).toContain('李新接待');
    expect(changed.text).toContain('13900005678');
    expect(changed.text).not.toContain('13800001234');
    expect(csrfFrom(changed.text)).toBe(csrfFrom(again.text)); // the session's own token in the kept page
  });

  it('when the expert confirms the visit, then the bureau sees 已确认 on the visit page', async () => {
    const res = await answer({ kind: 'visit', id: visitId, status: 'confirmed' });
    expect(res.status).toBe(303);
    const visit = await request(app).get(`/api/v1/visits/${visitId}`).set(organizer.auth).expect(200);
    expect(visit.body.reply.status).toBe('confirmed');
  });

  it('when the expert declines the slot without a reason, then nothing changes; with one, the bureau is told', async () => {
    const item = (await request(app).get('/api/v1/itinerary').set(expert.auth).expect(200)).body.items.find((i: { kind: string }) => i.kind === 'slot');
    const bare = await request(app).post('/api/v1/itinerary/replies').set(expert.auth).send({ kind: 'slot', id: roadshowId, slot: item.slot, status: 'declined' });
    expect(bare.status).toBe(400);
    expect(bare.body.errors.reason).toContain('原因');
    await answer({ kind: 'slot', id: roadshowId, slot: item.slot, status: 'declined', reason: '当天在武汉授课' });
    const show = await request(app).get(`/api/v1/roadshows/${roadshowId}`).set(organizer.auth).expect(200);
    expect(show.body.slots[0].reply).toMatchObject({ status: 'declined', reason: '当天在武汉授课' });
    const notice = await Notification.findOne({ kind: 'itinerary.declined' }).lean();
    expect(notice?.title).toContain('程行路婉拒了行程');
  });

  it('when someone else answers, or the plan changes, then the answer is refused, or asked again', async () => {
    const foreign = await request(app).post('/api/v1/itinerary/replies').set(other.auth).send({ kind: 'visit', id: visitId, status: 'confirmed' });
    expect(foreign.status).toBe(404);
    const org = await request(app).post('/api/v1/itinerary/replies').set(organizer.auth).send({ kind: 'visit', id: visitId, status: 'confirmed' });
    expect(org.status).toBe(403);
    await request(app).patch(`/api/v1/visits/${visitId}`).set(organizer.auth).send({ stops: [{ enterprise: host.id, startsAt: at(2, 2, '09:00'), minutes: 90 }] }).expect(200);
    const visit = await request(app).get(`/api/v1/visits/${visitId}`).set(organizer.auth).expect(200);
    expect(visit.body.reply).toBeUndefined();
  });

  it('when the visit is over, then it leaves 我的行程 and appears on the expert’s profile', async () => {
    advanceClock(30 * 86_400_000);
    const api = await request(app).get('/api/v1/itinerary').set(expert.auth).expect(200);
    expect(api.body.items).toEqual([]);
    const profile = await request(app).get(`/experts/${expert.id}`).expect(200);
    expect(profile.text).toContain(`/visits/${visitId}`);
    expect(profile.text).toContain(`/roadshows/${roadshowId}`);
  });
});
