// The organizer's user management pages: list with filters, one user, approve / disable (after a
// confirmation page) / enable / change role.
import type { RequestHandler } from 'express';
import { parse } from '../platform/http/validate.ts';
import { idParam } from '../platform/http/params.ts';
import { pager } from '../platform/http/pager.ts';
import { optionsOf, labelOf } from '../vocabulary/index.ts';
import * as audit from '../audit/service.ts';
import * as accounts from './service.ts';
import { roleChangeSchema, userListSchema } from './schema.ts';

const statusOptions = [
  { value: 'pending', label: '待审核' },
  { value: 'active', label: '正常' },
  { value: 'disabled', label: '已停用' },
];

export const list: RequestHandler = async (req, res) => {
  const q = parse(userListSchema, req.query);
  const result = await accounts.listUsers(req.user!, q);
  res.render('accounts/admin-users', {
    title: '用户管理',
    section: 'admin',
    users: result.items,
    pager: pager(result),
    filters: q,
    roleOptions: optionsOf('role'),
    statusOptions,
  });
};

export const show: RequestHandler = async (req, res) => {
  const id = idParam(req);
  const user = await accounts.getUser(id);
  const history = await audit.list({ targetKind: 'user', targetId: id, page: 1, limit: 20 });
  res.set('Cache-Control', 'no-store');
  res.render('accounts/admin-user', {
    title: `用户：${user.name}`,
    section: 'admin',
    subject: user,
    roleOptions: optionsOf('role'),
    history: history.items,
    isSelf: user.id === req.user!.id,
  });
};

export const approve: RequestHandler = async (req, res) => {
  const user = await accounts.approveUser(req.user!, idParam(req));
  req.flash('success', `已通过 ${user.name} 的审核。`);
  res.redirect(303, `/admin/users/${user.id}`);
};

export const confirmDisable: RequestHandler = async (req, res) => {
  const user = await accounts.getUser(idParam(req));
  res.render('accounts/admin-disable', { title: '停用账户', section: 'admin', subject: user });
};

export const disable: RequestHandler = async (req, res) => {
  const user = await accounts.disableUser(req.user!, idParam(req));
  req.flash('success', `已停用 ${user.name}，其所有登录已立即失效。`);
  res.redirect(303, `/admin/users/${user.id}`);
};

export const enable: RequestHandler = async (req, res) => {
  const user = await accounts.enableUser(req.user!, idParam(req));
  req.flash('success', `已启用 ${user.name}。`);
  res.redirect(303, `/admin/users/${user.id}`);
};

export const changeRole: RequestHandler = async (req, res) => {
  const { role } = parse(roleChangeSchema, req.body);
  const user = await accounts.changeRole(req.user!, idParam(req), role);
  req.flash('success', `${user.name} 的角色已改为“${labelOf('role', role)}”，其现有登录已失效。`);
  res.redirect(303, `/admin/users/${user.id}`);
};
