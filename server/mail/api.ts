// JSON API of the mail module (/api/v1): the outbox, for organizers.
import type { RequestHandler } from 'express';
import { parse } from '../platform/http/validate.ts';
import { outboxQuery } from './schema.ts';
import { settingsOf } from './pages.ts';
import * as mail from './service.ts';

export const listOutbox: RequestHandler = async (req, res) => {
  res.set('Cache-Control', 'no-store').json(await mail.listOutbox(settingsOf(req), parse(outboxQuery, req.query)));
};
