// Writing and reading the audit log. Entries never carry secrets: no passwords, tokens or contact values —
// a contact reveal records whose contact was seen, not what it was.
import type { Actor } from '../platform/auth/actor.ts';
import { trusted } from '../platform/db/connection.ts';
import { Audit, type AuditEntry } from './model.ts';
import { findPage } from '../platform/db/page.ts';

export interface AuditInput {
  actor?: Actor | { id?: string; name?: string; role?: string } | undefined;
  action: string;
  target?: { kind: string; id: string; label?: string | undefined } | undefined;
  detail?: string | undefined;
  ip?: string | undefined;
}

/** Actions and their Chinese labels, for the audit page. */
export const auditActions: Record<string, string> = {
  'login.success': '登录成功',
  'login.failure': '登录失败',
  'login.throttled': '登录被限流',
  logout: '退出登录',
  register: '注册账户',
  'password.change': '修改密码',
  'token.create': '创建访问令牌',
  'token.revoke': '撤销访问令牌',
  'token.renew': '续期访问令牌',
  'user.create': '创建用户',
  'user.approve': '审核通过',
  'user.disable': '停用账户',
  'user.enable': '启用账户',
  'user.role': '变更角色',
  'totp.enable': '启用两步验证',
  'totp.disable': '关闭两步验证',
  'totp.reset': '重置两步验证',
  'contact.reveal': '查看联系方式',
  'contact.forward': '转交对接申请',
  'demand.assign': '指派技术经纪人',
  'demand.claim': '经纪人认领需求',
  'demand.claim.confirm': '确认经纪人认领',
  'broker.claim-limit': '调整经纪人认领上限',
  'data.import': '导入数据',
  'roadshow.checkin.override': '路演签到时间外补签',
};

export async function record(input: AuditInput): Promise<void> {
  await Audit.create({
    actorId: input.actor?.id,
    actorName: input.actor?.name,
    actorRole: input.actor?.role,
    action: input.action,
    targetKind: input.target?.kind,
    targetId: input.target?.id,
    targetLabel: input.target?.label,
    detail: input.detail,
    ip: input.ip,
  });
}

export interface AuditQuery {
  action?: string | undefined;
  targetKind?: string | undefined;
  targetId?: string | undefined;
  actorId?: string | undefined;
  page: number;
  limit: number;
}

export async function list(q: AuditQuery): Promise<{ items: AuditEntry[]; total: number; page: number; limit: number }> {
  const filter: Record<string, unknown> = {};
  if (q.action) filter.action = q.action;
  if (q.targetKind) filter.targetKind = q.targetKind;
  if (q.targetId) filter.targetId = q.targetId;
  if (q.actorId) filter.actorId = q.actorId;
  const { docs: items, total } = await findPage<AuditEntry>(Audit, filter, { at: -1 }, q);
  return { items, total, page: q.page, limit: q.limit };
}

/** Entries since a moment, for tests and the reveal counter on records. */
export async function countSince(action: string, since: Date): Promise<number> {
  return Audit.countDocuments({ action, at: trusted({ $gte: since }) });
}
