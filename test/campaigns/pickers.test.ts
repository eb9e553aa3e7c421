// Pickers that show titles and store ids (issue: the bureau's daily work): the campaign page tags several results
// and needs from one search, with or without JavaScript, and puts a problem next to the choices; a roadshow slot's
// content is found by its title, a result without a lead person is flagged where it is chosen, and the roadshow
// form reports every problem of one save at once while keeping exactly the rows the user sent.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { apiToken, csrfFrom, loginAgent, makeUser, type Agent } from '../support/agent.ts';
import { demandOf, owner, resultOf } from '../support/directory.ts';
import { at, makeCampaign } from './support.ts';

const t = buildTestApp();
const { app } = t;

let agent: Agent;
let organizer: Awaited<ReturnType<typeof apiToken>>;
let campaign: string;
let institution: Awaited<ReturnType<typeof owner>>;
const titanium: { id: string; title: string }[] = [];
let titaniumNeed: { id: string; title: string };
let unrelated: string;
let lead: Awaited<ReturnType<typeof owner>>;
let ledResult: { id: string; title: string };
let plainResult: { id: string; title: string };
let speaker: Awaited<ReturnType<typeof owner>>;

const WEEK = 9;

beforeAll(async () => {
  const user = await makeUser('organizer', { name: '区科技局成果转化科' });
  agent = await loginAgent(app, user.email);
  organizer = await apiToken('organizer');
  campaign = await makeCampaign(app, organizer.auth, { name: '联百校转千果（选择器测试）' });
  institution = await owner('institution', { name: '三峡大学（选择器测试）' });
  const enterprise = await owner('enterprise', { name: '东宝钛白粉示范企业' });
  for (const [i, what] of ['酸解渣', '废酸浓缩', '钛石膏制砖', '钛石膏水泥缓凝剂', '钛石膏路基材料'].entries()) {
    const r = await resultOf(institution.actor, {
      title: `钛白粉副产${what}综合利用技术`,
      abstract: `钛白粉生产副产钛石膏与${what}的综合利用，第 ${i + 1} 项成果，已在省内钛白粉企业完成中试，综合利用率达 80% 以上。`,
      keywords: ['钛石膏', '钛白粉', what],
    });
    titanium.push({ id: r.id, title: r.title });
  }
  const need = await demandOf(enterprise.actor, { title: '钛石膏堆场减量与资源化需求', keywords: ['钛石膏', '资源化'] });
  titaniumNeed = { id: need.id, title: need.title };
  unrelated = (await resultOf(institution.actor, { title: '香菇菌棒自动化生产线', abstract: '香菇菌棒装袋、灭菌、接种一体化生产线，单线日产菌棒两万袋，适合山区合作社。', industry: 'agriculture', keywords: ['香菇'] })).id;
  lead = await owner('expert', { name: '钱磷化' });
  speaker = await owner('expert', { name: '孙电镀' });
  ledResult = await resultOf(institution.actor, { title: '磷石膏蒸压转晶制备α高强石膏', leadExpert: lead.id }).then((r) => ({ id: r.id, title: r.title }));
  plainResult = await resultOf(institution.actor, { title: '磷石膏无害化预处理成套技术' }).then((r) => ({ id: r.id, title: r.title }));
  await t.settle(); // the pickers search the index
});

/** The checkbox values and labels listed in a page's tagging choices. */
function tagChoices(html: string) {
  const box = html.slice(html.indexOf('id="tag-choices"'), html.indexOf('</fieldset>', html.indexOf('id="tag-choices"')));
  return [...box.matchAll(/<input type="checkbox" name="items" value="([^"]+)"([^>]*)>\s*<span class="choice-title">([^<]+)<\/span>\s*<span class="tag">([^<]+)<\/span>\s*<small class="muted">([^<]*)<\/small>/g)].map((m) => ({
    value: m[1]!,
    checked: m[2]!.includes('checked'),
    disabled: m[2]!.includes('disabled'),
    title: m[3]!,
    kind: m[4]!,
    owner: m[5]!,
  }));
}

const form = (fields: [string, string][]) => new URLSearchParams(fields).toString();

describe('tagging results and needs into a campaign', () => {
  it('when the organizer searches without JavaScript, then the campaign page lists the matches with checkboxes, title, kind and institution', async () => {
    const page = await agent.get(`/campaigns/${campaign}?tq=${encodeURIComponent('钛石膏')}`).expect(200);
    expect(page.text).toMatch(/<details id="tag-picker" class="picker" open>/);
    expect(page.text).toContain(`action="/campaigns/${campaign}#tag-picker"`); // the GET search form
    expect(page.text).toContain(`action="/campaigns/${campaign}/tags#tag-picker"`); // the tagging form
    const choices = tagChoices(page.text);
    expect(choices.map((c) => c.value)).toEqual(expect.arrayContaining([...titanium.map((r) => `result:${r.id}`), `demand:${titaniumNeed.id}`]));
    expect(choices.map((c) => c.value)).not.toContain(`result:${unrelated}`);
    const first = choices.find((c) => c.value === `result:${titanium[0]!.id}`)!;
    expect(first).toMatchObject({ title: titanium[0]!.title, kind: '科技成果', owner: '三峡大学（选择器测试）', checked: false, disabled: false });
    expect(choices.find((c) => c.value === `demand:${titaniumNeed.id}`)).toMatchObject({ kind: '技术需求', owner: '东宝钛白粉示范企业' });
    // The kind narrows it; no datalist of ids any more.
    const needsOnly = tagChoices((await agent.get(`/campaigns/${campaign}?tq=${encodeURIComponent('钛石膏')}&tk=demand`).expect(200)).text);
    expect(needsOnly.map((c) => c.value)).toEqual([`demand:${titaniumNeed.id}`]);
    expect(page.text).not.toContain('<datalist');
  });

  it('when five results are ticked from one search and sent, then all five are tagged in one POST and shown as already in the campaign', async () => {
    const page = await agent.get(`/campaigns/${campaign}?tq=${encodeURIComponent('钛石膏')}&tk=result`).expect(200);
    const fields: [string, string][] = [['_csrf', csrfFrom(page.text)], ['tq', '钛石膏'], ['tk', 'result']];
    for (const r of titanium) fields.push(['items', `result:${r.id}`]);
    const res = await agent.post(`/campaigns/${campaign}/tags`).type('form').send(form(fields));
    expect(res.status, res.text.slice(0, 400)).toBe(303);
    expect(res.headers.location).toBe(`/campaigns/${campaign}#tagged`);
    const after = await agent.get(`/campaigns/${campaign}`).expect(200);
    expect(after.text).toContain('已纳入活动：科技成果 5 项。');
    expect(after.text).toContain('科技成果（5）');
    for (const r of titanium) expect(after.text).toContain(`<a href="/results/${r.id}">${r.title}</a>`);
    // Searching again: they are marked 已纳入 and cannot be ticked twice.
    const again = tagChoices((await agent.get(`/campaigns/${campaign}?tq=${encodeURIComponent('钛石膏')}&tk=result`).expect(200)).text);
    expect(again.filter((c) => c.disabled).map((c) => c.value).sort()).toEqual(titanium.map((r) => `result:${r.id}`).sort());
  });

  it('when results and needs are tagged together through the API, then both kinds are counted; an unknown id names its place', async () => {
    const other = await makeCampaign(app, organizer.auth, { name: '专家东宝行（选择器测试）' });
    const ok = await request(app)
      .post(`/api/v1/campaigns/${other}/tags`)
      .set(organizer.auth)
      .send({ items: [{ kind: 'result', id: titanium[0]!.id }, { kind: 'demand', id: titaniumNeed.id }] })
      .expect(200);
    expect(ok.body).toEqual({ tagged: 2, results: 1, demands: 1 });
    const bad = await request(app)
      .post(`/api/v1/campaigns/${other}/tags`)
      .set(organizer.auth)
      .send({ items: [{ kind: 'result', id: titanium[1]!.id }, { kind: 'result', id: 'not-an-id' }, { kind: 'demand', id: '0123456789abcdef01234567' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors['items.1.id']).toBe('成果或需求无效。');
    const missing = await request(app)
      .post(`/api/v1/campaigns/${other}/tags`)
      .set(organizer.auth)
      .send({ items: [{ kind: 'result', id: titanium[1]!.id }, { kind: 'demand', id: '0123456789abcdef01234567' }] });
    expect(missing.status).toBe(400);
    expect(missing.body.errors['items.1']).toBe('第 2 项技术需求不存在或未发布。');
    // Nothing of a refused request is tagged.
    const page = await agent.get(`/campaigns/${other}`).expect(200);
    expect(page.text).not.toContain(`<a href="/results/${titanium[1]!.id}">`);
  });

  it('when an invalid id or nothing is sent, then the page comes back (400, no redirect) with the error next to the choices and the search kept', async () => {
    const page = await agent.get(`/campaigns/${campaign}?tq=${encodeURIComponent('钛石膏')}`).expect(200);
    const token = csrfFrom(page.text);
    const bad = await agent
      .post(`/campaigns/${campaign}/tags`)
      .type('form')
      .send(form([['_csrf', token], ['tq', '钛石膏'], ['tk', ''], ['items', `demand:${titaniumNeed.id}`], ['items', 'result:0123456789abcdef0123456z']]));
    expect(bad.status).toBe(400);
    expect(bad.headers.location).toBeUndefined();
    expect(bad.text).toMatch(/<fieldset id="tag-choices" class="choice-list-box" aria-invalid="true" aria-describedby="e-tag-items">/);
    expect(bad.text).toMatch(/<p id="e-tag-items" class="field-error">所选第 2 项：成果或需求无效。<\/p>/);
    expect(bad.text).toMatch(/<details id="tag-picker" class="picker" open>/);
    expect(bad.text).toContain('class="form-errors"'); // and in the summary at the top
    // The search is still there, and what was ticked is still ticked.
    const choices = tagChoices(bad.text);
    expect(choices.find((c) => c.value === `demand:${titaniumNeed.id}`)).toMatchObject({ checked: true });
    expect(choices.length).toBeGreaterThan(1);
    expect(bad.text).toContain('value="钛石膏"');
    // Nothing was tagged.
    expect((await agent.get(`/campaigns/${campaign}`)).text).toContain('技术需求（0）');

    const none = await agent.post(`/campaigns/${campaign}/tags`).type('form').send(form([['_csrf', token], ['tq', '钛石膏']]));
    expect(none.status).toBe(400);
    expect(none.text).toMatch(/id="e-tag-items" class="field-error">请至少勾选一项成果或需求。/);
  });

  it('when the organizer types, then the choices fragment answers alone (the page script swaps it in) and keeps ticked ones first', async () => {
    const frag = await agent.get(`/campaigns/${campaign}/tag-choices?tq=${encodeURIComponent('钛石膏 资源化')}&picked=${encodeURIComponent(`result:${unrelated}`)}`).expect(200);
    expect(frag.text).not.toContain('<html');
    expect(frag.text.trim()).toMatch(/^<fieldset id="tag-choices"/);
    const choices = tagChoices(frag.text);
    expect(choices[0]).toMatchObject({ value: `result:${unrelated}`, checked: true });
    expect(choices.map((c) => c.value)).toContain(`demand:${titaniumNeed.id}`);
    // Organizers only.
    const { agent: firm } = await (async () => {
      const u = await makeUser('enterprise');
      return { agent: await loginAgent(app, u.email) };
    })();
    expect((await firm.get(`/campaigns/${campaign}/tag-choices?tq=x`)).status).toBe(403);
    expect((await request(app).get(`/roadshows/slot-choices?q=x`)).status).not.toBe(200);
  });
});

describe('choosing what a roadshow slot presents', () => {
  const rowsIn = (html: string) => (html.match(/第 \d+ 项/g) ?? []).length;
  const blankRow = (i: number): [string, string][] => ['kind', 'find', 'label', 'ref', 'startsAt', 'minutes', 'presenter'].map((f) => [`slots.${i}.${f}`, '']);
  /** The form as the browser sends it: five rows, the given fields set. */
  async function send(fields: Record<string, string>, rows = 5) {
    const page = await agent.get(`/roadshows/new?campaign=${campaign}`).expect(200);
    const base: Record<string, string> = {
      campaign,
      title: '钛石膏资源化专场',
      venue: '东宝工业园科技服务中心 选择器测试厅',
      startsAt: at(WEEK, 1, '09:00'),
      endsAt: at(WEEK, 1, '12:00'),
      capacity: '60',
    };
    const all = new Map<string, string>([['_csrf', csrfFrom(page.text)], ...Object.entries(base), ...Array.from({ length: rows }, (_, i) => blankRow(i)).flat()]);
    for (const [k, v] of Object.entries(fields)) all.set(k, v);
    return agent.post('/roadshows').type('form').send(form([...all]));
  }

  it('when a result without a lead person is among the choices, then it is flagged 未填写负责人 there; a led one is not', async () => {
    const frag = await agent.get(`/roadshows/slot-choices?q=${encodeURIComponent('磷石膏')}&kind=result&row=2`).expect(200);
    expect(frag.text).toMatch(/^<ul id="slot-2-choices" class="choice-menu" role="listbox">/);
    const option = (id: string) => new RegExp(`<li role="option" id="slot-2-choice-\\d+" aria-selected="false" data-value="result:${id}" data-title="[^"]+" data-kind="result" ?(data-no-lead)?>[\\s\\S]*?</li>`).exec(frag.text);
    const plain = option(plainResult.id);
    const led = option(ledResult.id);
    expect(plain?.[1]).toBe('data-no-lead');
    expect(plain?.[0]).toContain('未填写负责人');
    expect(led).not.toBeNull();
    expect(led![1]).toBeUndefined();
    expect(led![0]).not.toContain('未填写负责人');
    // Experts are found by name, needs by title.
    const experts = await agent.get(`/roadshows/slot-choices?q=${encodeURIComponent('孙电镀')}&row=0`).expect(200);
    expect(experts.text).toContain(`data-value="expert:${speaker.id}"`);
  });

  it('when the exact title is typed without JavaScript, then the slot takes that record; a partial title comes back with its choices', async () => {
    const exact = await send({
      'slots.0.kind': 'result',
      'slots.0.find': ledResult.title,
      'slots.0.startsAt': '09:00',
      'slots.0.minutes': '30',
      'slots.1.find': '孙电镀',
      'slots.1.startsAt': '09:30',
      'slots.1.minutes': '30',
    });
    expect(exact.status, exact.text.slice(0, 600)).toBe(303);
    const shown = await agent.get(exact.headers.location!).expect(200);
    expect(shown.text).toContain(ledResult.title);
    expect(shown.text).toContain('孙电镀');

    const partial = await send({
      title: '钛石膏资源化专场（二）',
      startsAt: at(WEEK, 2, '09:00'),
      endsAt: at(WEEK, 2, '12:00'),
      'slots.0.kind': 'result',
      'slots.0.find': '钛石膏',
      'slots.0.startsAt': '09:00',
      'slots.0.minutes': '30',
    });
    expect(partial.status).toBe(400);
    expect(partial.text).toMatch(/id="e-slots.0.ref" class="field-error">没有名称恰为“钛石膏”的科技成果，请从下面 \d+ 项中选择。/);
    for (const r of titanium) expect(partial.text).toContain(`<input type="radio" name="slots.0.ref" value="result:${r.id}">`);
    // Sent again as it came back, nothing ticked: the choices come back again.
    const unticked = await send({
      title: '钛石膏资源化专场（二）',
      startsAt: at(WEEK, 2, '09:00'),
      endsAt: at(WEEK, 2, '12:00'),
      'slots.0.kind': 'result',
      'slots.0.find': '钛石膏',
      'slots.0.label': '钛石膏',
      'slots.0.startsAt': '09:00',
      'slots.0.minutes': '30',
    });
    expect(unticked.status).toBe(400);
    expect(unticked.text).toContain(`<input type="radio" name="slots.0.ref" value="result:${titanium[0]!.id}">`);
    // Picking one of the choices saves, whatever the text still says.
    const picked = await send({
      title: '钛石膏资源化专场（二）',
      startsAt: at(WEEK, 2, '09:00'),
      endsAt: at(WEEK, 2, '12:00'),
      'slots.0.kind': 'result',
      'slots.0.find': '钛石膏',
      'slots.0.label': '钛石膏',
      'slots.0.ref': `result:${titanium[2]!.id}`,
      'slots.0.startsAt': '09:00',
      'slots.0.minutes': '30',
      'slots.0.presenter': '李工',
    });
    expect(picked.status, picked.text.slice(0, 600)).toBe(303);
    expect((await agent.get(picked.headers.location!)).text).toContain(titanium[2]!.title);
  });

  it('when two slots are wrong and the title is missing, then one save reports all three next to their fields and keeps the same five rows', async () => {
    const fields = {
      title: '',
      'slots.0.kind': 'expert',
      'slots.0.ref': speaker.id,
      'slots.0.find': '孙电镀（教授）',
      'slots.0.label': '孙电镀（教授）',
      'slots.0.startsAt': '09:00',
      'slots.0.minutes': '30',
      // a need that does not exist
      'slots.1.kind': 'demand',
      'slots.1.ref': '0123456789abcdef01234567',
      'slots.1.startsAt': '09:30',
      'slots.1.minutes': '20',
      // a result without a lead person, no presenter named, and too short
      'slots.2.kind': 'result',
      'slots.2.ref': plainResult.id,
      'slots.2.find': plainResult.title,
      'slots.2.label': plainResult.title,
      'slots.2.startsAt': '10:00',
      'slots.2.minutes': '1',
    };
    const res = await send(fields);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="e-title" class="field-error">请填写路演名称。/);
    expect(res.text).toMatch(/id="e-slots.1.ref" class="field-error">所选技术需求不存在。/);
    expect(res.text).toMatch(/id="e-slots.2.presenter" class="field-error">该成果没有登记负责人，请填写主讲人。/);
    expect(res.text).toMatch(/id="e-slots.2.minutes" class="field-error">时长（分钟）不能小于 5。/);
    // The summary lists them all; the rows are the five sent, the chosen titles kept, the result flagged.
    const summary = res.text.slice(res.text.indexOf('class="form-errors"'), res.text.indexOf('</div>', res.text.indexOf('class="form-errors"')));
    for (const m of ['请填写路演名称。', '所选技术需求不存在。', '该成果没有登记负责人', '不能小于 5']) expect(summary).toContain(m);
    expect(rowsIn(res.text)).toBe(5);
    expect(res.text).toContain(`value="${plainResult.title}"`);
    expect(res.text).toContain(`name="slots.0.ref" value="${speaker.id}"`);
    // Sent again as it came back: still five rows, still every problem.
    const again = await send(fields);
    expect(rowsIn(again.text)).toBe(5);
    expect(again.text).toMatch(/id="e-slots.1.ref" class="field-error">/);
    // Seven rows sent, seven come back.
    expect(rowsIn((await send(fields, 7)).text)).toBe(7);
  });

  it('when a led result is chosen, then no presenter is asked; a result without a lead person says so on its row as soon as it is chosen', async () => {
    const res = await send({
      venue: '',
      'slots.0.kind': 'result',
      'slots.0.ref': plainResult.id,
      'slots.0.find': plainResult.title,
      'slots.0.label': plainResult.title,
      'slots.0.startsAt': '09:00',
      'slots.0.minutes': '30',
      'slots.0.presenter': '王工',
      'slots.1.kind': 'result',
      'slots.1.ref': ledResult.id,
      'slots.1.find': ledResult.title,
      'slots.1.label': ledResult.title,
      'slots.1.startsAt': '09:30',
      'slots.1.minutes': '30',
    });
    expect(res.status).toBe(400); // the venue is missing
    expect(res.text).toMatch(/id="h-slots.0.ref" data-pick-hint class="pick-warn">该成果未填写负责人，请填写主讲人。/);
    expect(res.text).toMatch(/id="h-slots.1.ref" data-pick-hint >输入成果、需求或专家的名称/);
  });

  it('through the API, then a campaign outside its period and an unknown slot are reported together', async () => {
    const res = await request(app)
      .post('/api/v1/roadshows')
      .set(organizer.auth)
      .send({
        campaign,
        title: '期外路演',
        venue: '东宝工业园 期外测试厅',
        capacity: 10,
        startsAt: at(200, 0, '09:00'),
        endsAt: at(200, 0, '12:00'),
        slots: [
          { kind: 'expert', ref: '0123456789abcdef01234567', startsAt: at(200, 0, '09:00'), minutes: 30 },
          { kind: 'result', ref: plainResult.id, startsAt: at(200, 0, '09:30'), minutes: 30 },
        ],
      });
    expect(res.status).toBe(400);
    expect(res.body.errors.startsAt).toContain('期间');
    expect(res.body.errors['slots.0.ref']).toBe('所选专家不存在。');
    expect(res.body.errors['slots.1.presenter']).toBe('该成果没有登记负责人，请填写主讲人。');
  });
});
