// Saved-search pages: 已保存的搜索 (/saved-searches), saving from the search page's form, and deleting after a
// confirmation page (works without JavaScript; with it, the list's button asks first and posts directly).
import type { RequestHandler } from 'express';
import { Conflict, Invalid } from '../platform/errors.ts';
import { idParam } from '../platform/http/params.ts';
import { parse } from '../platform/http/validate.ts';
import { MAX_SAVED } from './model.ts';
import { FILTER_KEYS, savedSearchInput } from './schema.ts';
import * as saved from './service.ts';

export const listPage: RequestHandler = async (req, res) => {
  const { items } = await saved.listSavedSearches(req.user!);
  res.set('Cache-Control', 'no-store');
  res.render('saved-searches/list', { title: '已保存的搜索', section: 'search', items, max: MAX_SAVED, full: items.length >= MAX_SAVED });
};

/** The search page's form: its query and filters as flat fields, and the frequency. */
export const saveForm: RequestHandler = async (req, res) => {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const input = { q: body.q, frequency: body.frequency, filters: Object.fromEntries(FILTER_KEYS.map((k) => [k, body[k]])) };
  try {
    const view = await saved.saveSearch(req.user!, parse(savedSearchInput, input));
    req.flash('success', `已保存搜索“${view.summary}”，${view.frequencyLabel}有新内容时会发邮件给您。`);
    res.redirect(303, '/saved-searches');
  } catch (err) {
    if (err instanceof Invalid) req.flash('error', `未能保存搜索：${Object.values(err.fields).join(' ')}`);
    else if (err instanceof Conflict) req.flash('error', err.detail);
    else throw err;
    // Back to the search it came from (always the search page: only its own parameters are carried).
    const back = new URLSearchParams();
    for (const k of ['q', ...FILTER_KEYS]) {
      const v = body[k];
      if (typeof v === 'string' && v) back.set(k, v.slice(0, 200));
    }
    res.redirect(303, back.size ? `/search?${back}` : '/search');
  }
};

export const deletePage: RequestHandler = async (req, res) => {
  const item = await saved.ownSavedSearch(req.user!, idParam(req));
  res.set('Cache-Control', 'no-store');
  res.render('saved-searches/delete', { title: '删除已保存的搜索', section: 'search', item });
};

export const deleteForm: RequestHandler = async (req, res) => {
  const item = await saved.deleteSavedSearch(req.user!, idParam(req));
  req.flash('success', `已删除搜索“${item.summary}”，不会再发送它的邮件。`);
  res.redirect(303, '/saved-searches');
};
