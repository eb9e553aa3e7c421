// JSON API of the accounts module (/api/v1). Same services as the pages; errors become problem+json.
import type { RequestHandler } from 'express';
import { parse } from '../platform/http/validate.ts';
import { idParam } from '../platform/http/params.ts';
import * as accounts from './service.ts';
import { createUserSchema, roleChangeSchema, userListSchema } from './schema.ts';

export const me: RequestHandler = (req, res) => {
  res.json(req.user);
};

export const listUsers: RequestHandler = async (req, res) => {
  res.json(await accounts.listUsers(req.user!, parse(userListSchema, req.query)));
};

export const createUser: RequestHandler = async (req, res) => {
  const actor = await accounts.createUser(parse(createUserSchema, req.body), req.user!);
  res.status(201).location(`/api/v1/users/${actor.id}`).json(actor);
};

export const getUser: RequestHandler = async (req, res) => {
  res.json(await accounts.getUser(idParam(req)));
};

export const approve: RequestHandler = async (req, res) => {
  res.json(await accounts.approveUser(req.user!, idParam(req)));
};

export const disable: RequestHandler = async (req, res) => {
  res.json(await accounts.disableUser(req.user!, idParam(req)));
};

export const enable: RequestHandler = async (req, res) => {
  res.json(await accounts.enableUser(req.user!, idParam(req)));
};

export const changeRole: RequestHandler = async (req, res) => {
  const { role } = parse(roleChangeSchema, req.body);
  res.json(await accounts.changeRole(req.user!, idParam(req), role));
};
