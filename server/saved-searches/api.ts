// JSON API of saved searches (/api/v1/saved-searches): the signed-in user's own, nobody else's.
import type { RequestHandler } from 'express';
import { idParam } from '../platform/http/params.ts';
import { parse } from '../platform/http/validate.ts';
import { savedSearchInput } from './schema.ts';
import * as saved from './service.ts';

export const create: RequestHandler = async (req, res) => {
  res.status(201).json(await saved.saveSearch(req.user!, parse(savedSearchInput, req.body ?? {})));
};

export const list: RequestHandler = async (req, res) => {
  res.set('Cache-Control', 'no-store').json(await saved.listSavedSearches(req.user!));
};

export const remove: RequestHandler = async (req, res) => {
  await saved.deleteSavedSearch(req.user!, idParam(req));
  res.status(204).end();
};
