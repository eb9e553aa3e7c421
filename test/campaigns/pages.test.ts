// Issue 7, "Done when": an organizer plans a month of 专家东宝行 visits and two roadshows through the pages (session,
// CSRF, plain forms), and no clash slips in — each attempt is refused on the form with its message.
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { csrfFrom, loginAgent, makeUser, type Agent } from '../support/agent.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';
import { ZONE, decoded } from './support.ts';
import { clock } from '../../server/platform/clock.ts';

const { app } = buildTestApp();

let agent: Agent;
const experts: Awaited<ReturnType<typeof owner>>[] = [];
const firms: Awaited<ReturnType<typeof owner>>[] = [];
let result: string;
let demand: string;

/** The month being planned (five months ahead) and its four Tuesdays, all inside it. */
const month = DateTime.fromJSDate(clock.now(), { zone: ZONE }).plus({ months: 5 }).startOf('month');
const firstTuesday = month.plus({ days: (2 - month.weekday + 7) % 7 });
const tuesdays = [0, 1, 2, 3].map((w) => firstTuesday.plus({ weeks: w }));
const local = (day: DateTime, hhmm: string) => `${day.toISODate()}T${hhmm}`;

beforeAll(async () => {
  const organizer = await makeUser('organizer', { name: '区科技局成果转化科' });
  agent = await loginAgent(app, organizer.email);
  for (const name of ['胡磷石', '马柔电', '杨建材']) experts.push(await owner('expert', { name }));
  for (let i = 1; i <= 6; i++) firms.push(await owner('enterprise', { name: `东宝走访企业${i}` }));
  const inst = await owner('institution', { name: '荆楚理工学院（测试）' });
  result = (await resultOf(inst.actor, { title: '磷石膏基装配式墙板技术', leadExpert: experts[2]!.id })).id;
  demand = (await demandOf(firms[0]!.actor, { title: '磷石膏堆场减量化技术需求' })).id;
});

/** Posts a form the way the browser does: fetch the form page, send its fields with its CSRF token. */
async function submit(formPath: string, action: string, fields: Record<string, string>) {
  const form = await agent.get(formPath).expect(200);
  return agent.post(action).type('form').send({ _csrf: csrfFrom(form.text), ...fields });
}

const idFrom = (location: string | undefined, base: string) => new RegExp(`^/${base}/([0-9a-f]{24})$`).exec(location ?? '')?.[1];

describe('planning a month through the pages', () => {
  let visitCampaign: string;
  let roadshowCampaign: string;

  it('when the organizer creates the two campaigns on their forms, then they exist with their goals', async () => {
    const visits = await submit('/campaigns/new', '/campaigns', {
      kind: 'expert-visit',
      name: `${month.toFormat('yyyy年M月')}专家东宝行`,
      startsOn: month.toISODate()!,
      endsOn: month.endOf('month').toISODate()!,
      'goals.experts': '3',
      'goals.visits': '24',
    });
    expect(visits.status).toBe(303);
    visitCampaign = idFrom(visits.headers.location, 'campaigns')!;
    const shows = await submit('/campaigns/new', '/campaigns', {
      kind: 'hundred-universities',
      name: `${month.toFormat('yyyy年')}联百校转千果`,
      startsOn: month.minus({ months: 1 }).toISODate()!,
      endsOn: month.plus({ months: 6 }).toISODate()!,
      'goals.universities': '100',
      'goals.results': '1000',
    });
    expect(shows.status).toBe(303);
    roadshowCampaign = idFrom(shows.headers.location, 'campaigns')!;
    expect(visitCampaign).toBeDefined();
    expect(roadshowCampaign).toBeDefined();
  });

  it('when a month of visits is entered, one itinerary per expert per week, then all twelve are saved', async () => {
    for (const [w, tuesday] of tuesdays.entries()) {
      for (const [e, expert] of experts.entries()) {
        const first = firms[(w + 2 * e) % 6]!;
        const second = firms[(w + 2 * e + 1) % 6]!;
        const res = await submit(`/visits/new?campaign=${visitCampaign}`, '/visits', {
          campaign: visitCampaign,
          expert: expert.id,
          title: '',
          travelMinutes: '30',
          'stops.0.enterprise': first.id,
          'stops.0.startsAt': local(tuesday, '09:00'),
          'stops.0.minutes': '90',
          'stops.1.enterprise': second.id,
          'stops.1.startsAt': local(tuesday, '11:00'),
          'stops.1.minutes': '60',
          'stops.2.enterprise': '',
          'stops.2.startsAt': '',
          'stops.2.minutes': '',
        });
        expect(res.status, res.text.slice(0, 500)).toBe(303);
        expect(idFrom(res.headers.location, 'visits')).toBeDefined();
      }
    }
    const list = await agent.get('/visits?when=all').expect(200);
    expect((list.text.match(/<li class="card">/g) ?? []).length).toBe(12);
  });

  it('when a visit would put an expert in two places, then the form comes back with the clash next to the stop and the values kept', async () => {
    const res = await submit(`/visits/new?campaign=${visitCampaign}`, '/visits', {
      campaign: visitCampaign,
      expert: experts[0]!.id,
      travelMinutes: '30',
      'stops.0.enterprise': firms[5]!.id,
      'stops.0.startsAt': local(tuesdays[1]!, '10:00'),
      'stops.0.minutes': '60',
    });
    expect(res.status).toBe(409);
    expect(res.text).toMatch(/id="e-stops.0.startsAt" class="field-error">专家胡磷石在 [^<]+已安排在专家东宝行走访“东宝走访企业\d”/);
    expect(res.text).toContain('class="form-errors"');
    expect(res.text).toMatch(new RegExp(`<option value="${firms[5]!.id}" selected>`));
    expect(res.text).toContain(`value="${local(tuesdays[1]!, '10:00')}"`);
    // The travel gap within one itinerary, too.
    const rushed = await submit(`/visits/new?campaign=${visitCampaign}`, '/visits', {
      campaign: visitCampaign,
      expert: experts[1]!.id,
      travelMinutes: '30',
      'stops.0.enterprise': firms[0]!.id,
      'stops.0.startsAt': local(tuesdays[0]!.plus({ days: 1 }), '09:00'),
      'stops.0.minutes': '60',
      'stops.1.enterprise': firms[1]!.id,
      'stops.1.startsAt': local(tuesdays[0]!.plus({ days: 1 }), '10:10'),
      'stops.1.minutes': '60',
    });
    expect(rushed.status).toBe(409);
    expect(rushed.text).toMatch(/id="e-stops.1.startsAt" class="field-error">第 1 站“东宝走访企业1”与第 2 站“东宝走访企业2”之间只有 10 分钟/);
  });

  it('when two roadshows are planned on Thursdays, then both are saved; a third in the same hall, or with a visiting expert, is refused on the form', async () => {
    const thursday = (w: number) => tuesdays[w]!.plus({ days: 2 });
    const hall = '东宝工业园科技服务中心 一楼路演厅';
    const first = await submit(`/roadshows/new?campaign=${roadshowCampaign}`, '/roadshows', {
      campaign: roadshowCampaign,
      title: '磷化工与新材料专场',
      venue: hall,
      startsAt: local(thursday(0), '09:00'),
      endsAt: local(thursday(0), '11:30'),
      capacity: '80',
      'slots.0.kind': 'result',
      'slots.0.ref': result,
      'slots.0.startsAt': '09:00',
      'slots.0.minutes': '30',
      'slots.1.kind': 'demand',
      'slots.1.ref': demand,
      'slots.1.startsAt': '09:30',
      'slots.1.minutes': '20',
      'slots.1.presenter': '企业技术负责人',
      'slots.2.kind': 'expert',
      'slots.2.ref': experts[0]!.id,
      'slots.2.startsAt': '09:50',
      'slots.2.minutes': '40',
    });
    expect(first.status, first.text.slice(0, 800)).toBe(303);
    const second = await submit(`/roadshows/new?campaign=${roadshowCampaign}`, '/roadshows', {
      campaign: roadshowCampaign,
      title: '电子信息专场',
      venue: '东宝工业园 电子信息产业园 报告厅',
      startsAt: local(thursday(2), '14:00'),
      endsAt: local(thursday(2), '17:00'),
      capacity: '60',
      'slots.0.kind': 'expert',
      'slots.0.ref': experts[1]!.id,
      'slots.0.startsAt': '14:00',
      'slots.0.minutes': '45',
    });
    expect(second.status).toBe(303);

    const sameHall = await submit(`/roadshows/new?campaign=${roadshowCampaign}`, '/roadshows', {
      campaign: roadshowCampaign,
      title: '绿色建材专场',
      venue: '东宝工业园科技服务中心一楼路演厅',
      startsAt: local(thursday(0), '11:00'),
      endsAt: local(thursday(0), '12:00'),
      capacity: '50',
    });
    expect(sameHall.status).toBe(409);
    expect(sameHall.text).toMatch(/id="e-venue" class="field-error">场地“东宝工业园科技服务中心 一楼路演厅”在 [^<]+已有“磷化工与新材料专场”/);

    const busyExpert = await submit(`/roadshows/new?campaign=${roadshowCampaign}`, '/roadshows', {
      campaign: roadshowCampaign,
      title: '智能制造专场',
      venue: '东宝工业园 智能制造展示厅',
      startsAt: local(tuesdays[3]!, '09:00'),
      endsAt: local(tuesdays[3]!, '12:00'),
      capacity: '50',
      'slots.0.kind': 'expert',
      'slots.0.ref': experts[2]!.id,
      'slots.0.startsAt': '11:30',
      'slots.0.minutes': '30',
    });
    expect(busyExpert.status).toBe(409);
    expect(busyExpert.text).toMatch(/id="e-slots.0.ref" class="field-error">专家杨建材在 [^<]+已安排在专家东宝行走访/);
    // Back-to-back with the visit's end (12:00) is fine.
    const afterVisit = await submit(`/roadshows/new?campaign=${roadshowCampaign}`, '/roadshows', {
      campaign: roadshowCampaign,
      title: '智能制造专场',
      venue: '东宝工业园 智能制造展示厅',
      startsAt: local(tuesdays[3]!, '12:00'),
      endsAt: local(tuesdays[3]!, '13:00'),
      capacity: '50',
      'slots.0.kind': 'expert',
      'slots.0.ref': experts[2]!.id,
      'slots.0.startsAt': '12:00',
      'slots.0.minutes': '30',
    });
    expect(afterVisit.status).toBe(303);
  });

  it('when a roadshow form comes back with a problem, then it keeps exactly the agenda rows the user had, however often it is sent', async () => {
    const blankRow = (i: number) => ({ [`slots.${i}.kind`]: '', [`slots.${i}.ref`]: '', [`slots.${i}.startsAt`]: '', [`slots.${i}.minutes`]: '', [`slots.${i}.presenter`]: '' });
    const fields = (n: number) => ({
      campaign: roadshowCampaign, title: '', venue: '东宝工业园报告厅', startsAt: local(tuesdays[3]!, '09:00'), endsAt: local(tuesdays[3]!, '10:00'), capacity: '40',
      ...Object.assign({}, ...Array.from({ length: n }, (_, i) => blankRow(i))),
      'slots.0.kind': 'expert', 'slots.0.ref': experts[0]!.id, 'slots.0.startsAt': '09:00', 'slots.0.minutes': '30',
    });
    const rowsIn = (html: string) => (html.match(/第 \d+ 项/g) ?? []).length;
    for (const n of [5, 5, 7]) {
      const res = await submit(`/roadshows/new?campaign=${roadshowCampaign}`, '/roadshows', fields(n));
      expect(res.status).toBe(400);
      expect(res.text).toContain('id="e-title"');
      expect(rowsIn(res.text)).toBe(n);
    }
    // A fresh form still offers room to add.
    expect(rowsIn((await agent.get(`/roadshows/new?campaign=${roadshowCampaign}`).expect(200)).text)).toBe(5);
  });

  it('when a saved roadshow and itinerary are opened for editing and saved again, then they keep their place and do not clash with themselves', async () => {
    const roadshows = await agent.get('/roadshows?when=all').expect(200);
    const id = /href="\/roadshows\/([0-9a-f]{24})">磷化工与新材料专场/.exec(roadshows.text)![1]!;
    const edit = await agent.get(`/roadshows/${id}/edit`).expect(200);
    expect(edit.text).toContain('value="09:50"');
    expect(edit.text).toContain(`value="${experts[0]!.id}"`);
    const thursday = tuesdays[0]!.plus({ days: 2 });
    const saved = await agent.post(`/roadshows/${id}`).type('form').send({
      _csrf: csrfFrom(edit.text),
      campaign: /<option value="([0-9a-f]{24})" selected>/.exec(edit.text)![1]!,
      title: '磷化工与新材料专场（第一期）',
      venue: '东宝工业园科技服务中心 一楼路演厅',
      startsAt: local(thursday, '09:00'),
      endsAt: local(thursday, '11:30'),
      capacity: '100',
      'slots.0.kind': 'expert',
      'slots.0.ref': experts[0]!.id,
      'slots.0.startsAt': '09:50',
      'slots.0.minutes': '40',
    });
    expect(saved.status, saved.text.slice(0, 600)).toBe(303);
    const shown = await agent.get(`/roadshows/${id}`).expect(200);
    expect(shown.text).toContain('磷化工与新材料专场（第一期）');
    expect(shown.text).toContain('已报名 0 / 100 家');

    const visitsPage = await agent.get('/visits?when=all').expect(200);
    const visitId = /href="\/visits\/([0-9a-f]{24})"/.exec(visitsPage.text)![1]!;
    const visitEdit = await agent.get(`/visits/${visitId}/edit`).expect(200);
    const fields: Record<string, string> = { _csrf: csrfFrom(visitEdit.text) };
    for (const m of visitEdit.text.matchAll(/<input id="f-[^"]+" name="([^"]+)"[^>]*? type="(?:text|number|datetime-local)" value="([^"]*)"/g)) fields[m[1]!] = m[2]!;
    for (const m of visitEdit.text.matchAll(/<select id="f-[^"]+" name="([^"]+)"[^>]*>[\s\S]*?<option value="([^"]*)" selected>/g)) fields[m[1]!] = m[2]!;
    expect(fields['stops.1.startsAt']).toMatch(/T11:00$/);
    const resaved = await agent.post(`/visits/${visitId}`).type('form').send({ ...fields, 'stops.1.minutes': '45' });
    expect(resaved.status, resaved.text.slice(0, 600)).toBe(303);
    expect((await agent.get(`/visits/${visitId}`)).text).toContain('（45 分钟）');
  });

  it('when the month is viewed, then every stop and roadshow is on the calendar, and the campaign counts its itineraries', async () => {
    const page = await agent.get(`/calendar?view=month&date=${month.toISODate()}`).expect(200);
    expect(page.text).toContain(`共 ${12 * 2 + 3} 项日程`);
    expect(page.text).toContain('磷化工与新材料专场');
    expect(decoded(page.text)).toContain(`date=${month.plus({ months: 1 }).toISODate()}`);
    const week = await agent.get(`/calendar?view=week&date=${tuesdays[0]!.toISODate()}`).expect(200);
    expect((week.text.match(/class="ev-visit"/g) ?? []).length).toBe(6);
    const campaignPage = await agent.get(`/campaigns/${visitCampaign}`).expect(200);
    expect((campaignPage.text.match(/href="\/visits\/[0-9a-f]{24}"/g) ?? []).length).toBe(12);
  });
});

describe('the campaign form shows the goals of its kind', () => {
  /** The goal labels in the form's main group and behind 更多目标, in page order. */
  async function goalGroups(path: string) {
    const html = decoded((await agent.get(path).expect(200)).text);
    const main = html.slice(html.indexOf('data-goals-main'), html.indexOf('data-goals-more'));
    const more = html.slice(html.indexOf('data-goals-more'), html.indexOf('</fieldset>'));
    const labels = (part: string) => [...part.matchAll(/name="goals\.(\w+)"/g)].map((m) => m[1]);
    return { main: labels(main), more: labels(more) };
  }

  it('when the kind is 联百校转千果 or 专家东宝行, then its goals come first and the others are behind 更多目标', async () => {
    const hundred = await goalGroups('/campaigns/new?kind=hundred-universities');
    expect(hundred.main).toEqual(['universities', 'results', 'matches', 'contracts', 'roadshows']);
    expect(hundred.more).toEqual(expect.arrayContaining(['experts', 'visits', 'attendees', 'intentions']));
    const visits = await goalGroups('/campaigns/new?kind=expert-visit');
    expect(visits.main).toEqual(['contracts', 'experts', 'visits', 'enterprises', 'problems', 'followUps']);
    expect(visits.more).not.toContain('experts');
    expect([...visits.main, ...visits.more].sort()).toEqual([...hundred.main, ...hundred.more].sort()); // nothing lost
  });

  it('when no kind is chosen yet, then every goal is under 更多目标, open, with a hint', async () => {
    const none = await goalGroups('/campaigns/new');
    expect(none.main).toEqual([]);
    expect(none.more).toHaveLength(12);
    const html = decoded((await agent.get('/campaigns/new').expect(200)).text);
    expect(html).toMatch(/<details data-goals-more open>/);
  });
});
