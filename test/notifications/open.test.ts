// Issue 19: following a notification's link marks it read, and only its addressee's click does.
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';
import { loginAgent, makeUser, type Agent } from '../support/agent.ts';
import { notifyUsers, unreadCount } from '../../server/notifications/service.ts';
import type { Actor } from '../../server/platform/auth/actor.ts';
import { Notification } from '../../server/notifications/model.ts';

const { app } = buildTestApp();
let reader: Agent;
let other: Agent;
let readerId: string;

beforeAll(async () => {
  const a = await makeUser('enterprise');
  const b = await makeUser('enterprise');
  readerId = a.id;
  reader = await loginAgent(app, a.email);
  other = await loginAgent(app, b.email);
});

const unread = () => unreadCount({ id: readerId } as Actor);

describe('opening a notification', () => {
  it('when the addressee follows its link, then it is read, the count drops, and the link is reached', async () => {
    await notifyUsers([readerId], { kind: 'test', title: '新的匹配成果', link: '/demands' });
    const notice = await Notification.findOne({ user: readerId, title: '新的匹配成果' }).lean();
    const before = await unread();
    const page = await reader.get('/notifications').expect(200);
    expect(page.text).toContain(`href="/notifications/${String(notice!._id)}/open"`);

    const opened = await reader.get(`/notifications/${String(notice!._id)}/open`).expect(303);
    expect(opened.headers.location).toBe('/demands');
    expect((await Notification.findById(notice!._id).lean())!.readAt).toBeInstanceOf(Date);
    expect(await unread()).toBe(before - 1);
    // a second click goes to the link again without counting down twice
    await reader.get(`/notifications/${String(notice!._id)}/open`).expect(303);
    expect(await unread()).toBe(before - 1);
  });

  it('when someone else opens it, or the id is unknown, then it stays unread and they land on their own list', async () => {
    await notifyUsers([readerId], { kind: 'test', title: '别人的通知', link: '/demands' });
    const notice = await Notification.findOne({ user: readerId, title: '别人的通知' }).lean();
    const res = await other.get(`/notifications/${String(notice!._id)}/open`).expect(303);
    expect(res.headers.location).toBe('/notifications');
    expect((await Notification.findById(notice!._id).lean())!.readAt ?? null).toBeNull();
    expect((await other.get('/notifications/nonsense/open').expect(303)).headers.location).toBe('/notifications');
  });
});

describe('a notice with a key', () => {
  it('when it is sent again, or twice at once, then its user has it once and counts it once; another user gets their own', async () => {
    const before = await unread();
    const notice = { kind: 'test', title: '同一事件只通知一次', key: `test:keyed:${new mongoose.Types.ObjectId().toString()}` };
    await notifyUsers([readerId], notice);
    await Promise.all([notifyUsers([readerId], notice), notifyUsers([readerId], notice)]);
    expect(await Notification.countDocuments({ user: readerId, title: notice.title })).toBe(1);
    expect(await unread()).toBe(before + 1);
    const someone = await makeUser('expert');
    await notifyUsers([someone.id], notice);
    expect(await Notification.countDocuments({ title: notice.title })).toBe(2);
  });
});
