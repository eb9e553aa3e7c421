// docs/design.md "Per-request work", signed-in pages at scale: the notice list and the results an expert leads
// are read from memory after the first view, and any write to their collection — through a service or straight
// through the model, as the command line or another instance would — shows on the next view.
import { Collection } from 'mongodb';
import { describe, expect, it, vi } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { userAgent } from '../support/agent.ts';
import { notifyUsers } from '../../server/notifications/service.ts';
import { Notification } from '../../server/notifications/model.ts';
import { Expert } from '../../server/experts/model.ts';
import { Result } from '../../server/results/model.ts';
import { pollNow } from '../../server/platform/db/shared-cache.ts';

const { app } = buildTestApp();

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
    await pollNow();
    expect((await agent.get(`/experts/${id}`).expect(200)).text).not.toContain('磷石膏净化缓存测试');
    expect(await readsOf('results', () => agent.get(`/experts/${id}`).expect(200))).toBe(0);

    const result = await Result.create({ title: '磷石膏净化缓存测试', abstract: '水洗与浮选联合净化。', industry: 'chemicals', maturity: 'pilot', institution: '0123456789abcdef01234567', institutionName: '湖北大学', leadExpert: id });
    expect((await agent.get(`/experts/${id}`).expect(200)).text).toContain('磷石膏净化缓存测试');

    await Result.updateOne({ _id: result._id }, { $set: { leadExpert: '0123456789abcdef01234567' } });
    expect((await agent.get(`/experts/${id}`).expect(200)).text).not.toContain('磷石膏净化缓存测试');
  });
});
