// docs/design.md "Per-request work", pages for visitors: the search page and the need, result and broker lists are
// kept rendered per URL and search-index generation for visitors who are not signed in
// (server/platform/http/visitor-pages.ts). A kept page is sent only while the index is as it was, so a write shows
// on the next view; signed-in users and visitors with a session never get a kept page; an error page is not kept.
// (Another app process converging on this one's writes: test/accounts/cache.test.ts.)
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { userAgent } from '../support/agent.ts';
import { Demand } from '../../server/demands/model.ts';
import { Result } from '../../server/results/model.ts';
import { pollNow } from '../../server/platform/db/shared-cache.ts';

const { app, settle } = buildTestApp();

const visit = (url: string) => request(app).get(url);

describe('pages kept for visitors', () => {
  it('when a visitor opens the same search twice, then the second is the kept page, byte for byte; a new need in the index shows on the next view', async () => {
    const url = `/search?q=${encodeURIComponent('访客缓存氟石膏')}`;
    const first = await visit(url).expect(200);
    expect(first.headers['x-page-cache']).toBe('miss');
    expect(first.text).toContain('没有找到');
    const second = await visit(url).expect(200);
    expect(second.headers['x-page-cache']).toBe('hit');
    expect(second.text).toBe(first.text);
    expect(second.headers['content-type']).toMatch(/^text\/html/);

    const need = await Demand.create({ title: '访客缓存氟石膏提纯', description: '氟石膏杂质多，想提纯后做建材。', industry: 'chemicals', enterprise: '0123456789abcdef01234567', enterpriseName: '东宝区访客缓存化工有限公司', status: 'published' });
    await settle();
    const after = await visit(url).expect(200);
    expect(after.headers['x-page-cache']).toBe('miss');
    expect(after.text).toContain(`/demands/${String(need._id)}`);
    expect((await visit(url).expect(200)).headers['x-page-cache']).toBe('hit');

    // the list page the same way; and a need leaving the index leaves the kept list
    const list = `/demands?q=${encodeURIComponent('访客缓存氟石膏')}`;
    expect((await visit(list).expect(200)).text).toContain(`/demands/${String(need._id)}`);
    expect((await visit(list).expect(200)).headers['x-page-cache']).toBe('hit');
    await Demand.updateOne({ _id: need._id }, { $set: { status: 'closed' } });
    await settle();
    const closed = await visit(list).expect(200);
    expect(closed.headers['x-page-cache']).toBe('miss');
    expect(closed.text).not.toContain(`/demands/${String(need._id)}`);
  });

  it('when a result is edited, then the kept result list shows the new title at once', async () => {
    const result = await Result.create({ title: '访客缓存旧标题', abstract: '磷石膏水洗净化。', industry: 'chemicals', maturity: 'pilot', institution: '0123456789abcdef01234567', institutionName: '湖北大学', status: 'published' });
    await settle();
    const url = `/results?q=${encodeURIComponent('访客缓存')}`;
    // (the page marks the words searched for: 访客缓存旧标题 reads <mark>访客</mark><mark>缓存</mark>旧标题)
    expect((await visit(url).expect(200)).text).toContain('旧标题');
    expect((await visit(url).expect(200)).headers['x-page-cache']).toBe('hit');
    await Result.updateOne({ _id: result._id }, { $set: { title: '访客缓存新标题' } });
    await settle();
    const text = (await visit(url).expect(200)).text;
    expect(text).toContain('新标题');
    expect(text).not.toContain('旧标题');
  });

  it("when a visitor opens a need's page again, then it is the kept page; an edit of the need shows on the next view, and a members-only need is never kept", async () => {
    const need = await Demand.create({ title: '访客需求页缓存测试', description: '磷石膏制硫酸联产水泥。', industry: 'chemicals', enterprise: '0123456789abcdef01234567', enterpriseName: '东宝区访客需求页化工有限公司', status: 'published' });
    await settle();
    await pollNow(); // the page names the stamps' version: kept once they have been read
    const url = `/demands/${String(need._id)}`;
    const first = await visit(url).expect(200);
    expect(first.headers['x-page-cache']).toBe('miss');
    const second = await visit(url).expect(200);
    expect(second.headers['x-page-cache']).toBe('hit');
    expect(second.text).toBe(first.text);

    await Demand.updateOne({ _id: need._id }, { $set: { title: '访客需求页缓存测试（已修改）' } });
    await settle();
    const after = await visit(url).expect(200);
    expect(after.headers['x-page-cache']).toBe('miss');
    expect(after.text).toContain('访客需求页缓存测试（已修改）');

    // a signed-in user's view is rendered for them (with what they may see), never the visitors' page
    const { agent } = await userAgent(app, 'organizer');
    expect((await agent.get(url).expect(200)).headers['x-page-cache']).toBeUndefined();

    const members = await Demand.create({ title: '仅会员可见的需求页', description: '内部需求。', industry: 'chemicals', enterprise: '0123456789abcdef01234567', enterpriseName: '东宝区访客需求页化工有限公司', status: 'published', visibility: 'members' });
    await settle();
    const hidden = `/demands/${String(members._id)}`;
    const refused = await visit(hidden);
    expect(refused.status).not.toBe(200);
    expect((await visit(hidden)).headers['x-page-cache']).not.toBe('hit');
  });

  it('when a signed-in user or a visitor with a session opens a kept page, then it is rendered for them, never sent from the store', async () => {
    const url = '/search?q=%E7%A3%B7%E7%9F%B3%E8%86%8F';
    await visit(url).expect(200);
    expect((await visit(url).expect(200)).headers['x-page-cache']).toBe('hit');

    const { agent, user } = await userAgent(app, 'enterprise');
    const mine = await agent.get(url).expect(200);
    expect(mine.headers['x-page-cache']).toBeUndefined();
    expect(mine.text).toContain(user.name);
    expect(mine.text).toContain('退出');

    const withSession = await visit(url).set('Cookie', 'dongbao.sid=s%3Aanything.sig').expect(200);
    expect(withSession.headers['x-page-cache']).toBeUndefined();
  });

  it('when a visitor asks for a page the list cannot show, then the error page is not kept', async () => {
    const url = `/search?q=${'石'.repeat(101)}`; // over the 100 characters a search takes
    const first = await visit(url);
    expect(first.status).toBe(400);
    const second = await visit(url);
    expect(second.status).toBe(400);
    expect(second.headers['x-page-cache']).toBe('miss');
  });
});
