// Notifications, pages and API: the list, following a notice's link (which marks it read), marking read.
import type { RequestHandler } from 'express';
import { safeReturnPath } from '../platform/http/params.ts';
import { pageQuery, pager } from '../platform/http/pager.ts';
import { parse } from '../platform/http/validate.ts';
import * as notifications from './service.ts';
import { keptBodies, sendWithKeptBody, viewerKey } from '../platform/http/kept-body.ts';

/** The list's body is kept per viewer and address until a notice is written anywhere (platform/http/kept-body.ts). */
const keptLists = keptBodies('notifications', 2_000);

export const notificationsPage: RequestHandler = async (req, res) => {
  res.set('Cache-Control', 'no-store');
  await sendWithKeptBody(req, res, {
    bodies: keptLists,
    key: `${viewerKey(req.user!)}|${req.originalUrl}`,
    view: 'notifications/list',
    locals: async () => {
      const q = parse(pageQuery, req.query); // checked when the page is made: a kept page's URL passed
      const result = await notifications.list(req.user!, q.page, q.limit);
      return { title: '通知', items: result.items, pager: pager(result) };
    },
  });
};

/** A notice's link goes through here, so following it marks it read (the same as 标为已读, then the link). */
export const openNotification: RequestHandler = async (req, res) => {
  const link = await notifications.open(req.user!, String(req.params.id));
  res.redirect(303, safeReturnPath(link, '/notifications'));
};

export const markReadForm: RequestHandler = async (req, res) => {
  await notifications.markRead(req.user!, typeof req.body?.id === 'string' ? req.body.id : undefined);
  res.redirect(303, safeReturnPath(req.body?.back, '/notifications'));
};

export const listNotifications: RequestHandler = async (req, res) => {
  const q = parse(pageQuery, req.query);
  res.json({ ...(await notifications.list(req.user!, q.page, q.limit)), unread: await notifications.unreadCount(req.user!) });
};
