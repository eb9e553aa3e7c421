// A user's notice list is kept as a list of their notices (notice_lists, server/notifications/model.ts), so that
// showing it reads by `_id` only: on the embedded FerretDB a filter on `user` reads every notice of every user.
import { Collection } from 'mongodb';
import type mongoose from 'mongoose';
import { describe, expect, it, vi } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { makeUser } from '../support/agent.ts';
import { completeNoticeLists, list, markRead, notifyUsers, purgeOld } from '../../server/notifications/service.ts';
import { NoticeList, Notification } from '../../server/notifications/model.ts';
import type { Actor } from '../../server/platform/auth/actor.ts';
import { clock } from '../../server/platform/clock.ts';
import { advanceClock } from '../support/clock.ts';

buildTestApp();
const actorOf = (id: string) => ({ id }) as Actor;
const titles = async (id: string, page = 1, limit = 20) => (await list(actorOf(id), page, limit)).items.map((n) => n.title);

describe("a user's notice list", () => {
  it('when a user has notices from before lists were kept, then they are listed once, newest first, with new ones above them', async () => {
    const { id } = await makeUser('expert');
    // as an earlier version left them: in the collection, in no list
    for (let i = 0; i < 3; i++) await Notification.collection.insertOne({ user: id, kind: 'test', title: `旧通知${i}`, createdAt: new Date(clock.ms() - (3 - i) * 60_000), updatedAt: clock.now() });
    expect(await NoticeList.findById(id).lean()).toBeNull();
    await notifyUsers([id], { kind: 'test', title: '新通知' }); // added to a list not yet merged with the old ones
    expect(await titles(id)).toEqual(['新通知', '旧通知2', '旧通知1', '旧通知0']);
    expect((await list(actorOf(id), 1, 20)).total).toBe(4);
    await notifyUsers([id], { kind: 'test', title: '更新的通知' });
    expect(await titles(id)).toEqual(['更新的通知', '新通知', '旧通知2', '旧通知1', '旧通知0']);
    expect((await NoticeList.findById(id).lean())?.entries).toHaveLength(5); // no entry twice
  });

  it('when notices span pages, then each page holds its own in order and the total counts them all', async () => {
    const { id } = await makeUser('enterprise');
    for (let i = 0; i < 25; i++) {
      await notifyUsers([id], { kind: 'test', title: `第${i}条` });
      advanceClock(1_000);
    }
    const second = await list(actorOf(id), 2, 20);
    expect(second.total).toBe(25);
    expect(second.items.map((n) => n.title)).toEqual(['第4条', '第3条', '第2条', '第1条', '第0条']);
  });

  it('when maintenance has merged the notices from before lists were kept, then a list is read by _id only', async () => {
    const { id: older } = await makeUser('expert');
    await Notification.collection.insertOne({ user: older, kind: 'test', title: '维护前的旧通知', createdAt: clock.now(), updatedAt: clock.now() });
    await completeNoticeLists();
    const { id } = await makeUser('broker');
    await notifyUsers([id], { kind: 'test', title: '按编号读取' });
    await notifyUsers([older], { kind: 'test', title: '维护后的新通知' });
    const spies = (['find', 'findOne', 'countDocuments', 'aggregate'] as const).map((m) => vi.spyOn(Collection.prototype, m));
    let filters: unknown[] = [];
    try {
      expect(await titles(id)).toEqual(['按编号读取']);
      expect(await titles(older)).toEqual(['维护后的新通知', '维护前的旧通知']);
      filters = spies.flatMap((spy) => spy.mock.calls.filter((_, i) => ['notifications', 'notice_lists'].includes((spy.mock.contexts[i] as Collection).collectionName)).map((args) => args[0] ?? {}));
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(filters.length).toBeGreaterThan(0);
    for (const f of filters) expect(Object.keys(f as object)).toEqual(['_id']);
  });

  it('when a notice is deleted behind the list, or purged, then it leaves the list and its total', async () => {
    const { id } = await makeUser('institution');
    await notifyUsers([id], { kind: 'test', title: '将被删除' });
    await notifyUsers([id], { kind: 'test', title: '保留' });
    await Notification.deleteOne({ user: id, title: '将被删除' }); // straight through the model, as a command would
    const after = await list(actorOf(id), 1, 20);
    expect(after.items.map((n) => n.title)).toEqual(['保留']);
    expect(after.total).toBe(1);
    expect((await NoticeList.findById(id).lean())?.entries).toHaveLength(1);

    const kept = (await Notification.findOne({ user: id, title: '保留' }).lean())!;
    await markRead(actorOf(id), String(kept._id));
    advanceClock(184 * 86_400_000); // read more than half a year ago
    await purgeOld();
    expect((await list(actorOf(id), 1, 20)).total).toBe(0);
    expect((await NoticeList.findById(id).lean())?.entries).toEqual([]);
    expect(await Notification.countDocuments({ _id: kept._id as mongoose.Types.ObjectId })).toBe(0);
  });
});
