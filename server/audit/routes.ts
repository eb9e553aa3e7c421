// The audit log, for organizers: GET /admin/audit (page) and GET /api/v1/audit.
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { organizerOnly } from '../platform/auth/guards.ts';
import { pageQuery, pager } from '../platform/http/pager.ts';
import { parse } from '../platform/http/validate.ts';
import * as audit from './service.ts';

export const auditQuery = pageQuery.extend({
  action: z.string().max(40).optional(),
  targetKind: z.string().max(40).optional(),
  targetId: z.string().max(40).optional(),
  actorId: z.string().max(40).optional(),
});

const page: RequestHandler = async (req, res) => {
  const q = parse(auditQuery, req.query);
  const result = await audit.list(q);
  res.set('Cache-Control', 'no-store');
  res.render('audit/list', {
    title: '审计日志',
    section: 'admin',
    entries: result.items.map((e) => ({ ...e, actionLabel: audit.auditActions[e.action] ?? e.action })),
    pager: pager(result),
    filters: q,
    actions: Object.entries(audit.auditActions).map(([value, label]) => ({ value, label })),
  });
};

const api: RequestHandler = async (req, res) => {
  res.json(await audit.list(parse(auditQuery, req.query)));
};

export default function auditRoutes(): Router {
  const r = Router();
  r.get('/admin/audit', organizerOnly, page);
  r.get('/api/v1/audit', organizerOnly, api);
  return r;
}
