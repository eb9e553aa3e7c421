// npm run bench -- pages: what each signed-in page in the navigation asks the database for, on the 10,000-scale
// bench database — a measure that does not depend on how loaded the machine is. The app runs in this process
// (as the tests build it, server/app.ts) on a connection with the driver's command monitoring on; each page is
// opened once to warm the caches a steady load would have warm, then once more, counted: every command the view
// sent, those whose filter is not `_id` alone (on FerretDB 1.24 those read the whole collection: docs/design.md,
// "Running on MongoDB and on FerretDB 1.24"), and which collections they read, with their sizes. Commands are
// attributed to the request through an AsyncLocalStorage entered where the server hands the request to the app,
// so the once-a-second pollers (the cache stamps, the
// search change log) are left out.
//
// BENCH_PAGES_SCALE (10000) scale records.
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { CommandStartedEvent, CommandSucceededEvent, CommandFailedEvent, Document } from 'mongodb';
import mongoose from 'mongoose';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/platform/config.ts';
import { disconnect, withDatabase } from '../../server/platform/db/connection.ts';
import { serializeWrites } from '../../server/platform/db/write-lock.ts';
import { Lifecycle } from '../../server/platform/lifecycle.ts';
import { EmbeddedSearch } from '../../server/platform/search/embedded.ts';
import { SearchSync } from '../../server/platform/search/sync.ts';
import { searchSources } from '../../server/search/sources.ts';
import { benchDatabase, logger, table, type BenchReport } from './support.ts';
import { demoSessions, endDemoSessions, type DemoRole, type SignedIn } from './signed-in.ts';

const SECRET = 'pages-bench-secret-pages-bench-secret-0123';

/** The signed-in pages of the navigation (server/app.ts `navByRole`, the header's 通知) per demo role. */
export function navigationPages(role: DemoRole, profileId?: string): string[] {
  const common = ['/', '/notifications', '/calendar', '/account'];
  switch (role) {
    case 'organizer':
      return [...common, '/targets', '/contact-requests', '/contracts', '/talents'];
    case 'broker':
      return [...common, '/broker', '/contracts'];
    case 'enterprise':
      return [...common, '/demands?mine=1', '/contact-requests', '/talents'];
    case 'institution':
      return [...common, '/results?mine=1', '/contact-requests'];
    case 'expert':
      return [...common, ...(profileId ? [`/experts/${profileId}`] : []), '/itinerary', '/contact-requests'];
  }
}

const ROLES: DemoRole[] = ['organizer', 'broker', 'enterprise', 'institution', 'expert'];

interface Command {
  name: string;
  collection: string;
  /** the filter keys, or '(all)' for none */
  filter: string;
  byId: boolean;
  ms: number;
}

/** The filters a command applies, as the server sees them. */
function filtersOf(name: string, cmd: Document): Document[] {
  switch (name) {
    case 'find':
      return [cmd.filter ?? {}];
    case 'count':
    case 'distinct':
    case 'findAndModify':
      return [cmd.query ?? {}];
    case 'aggregate': {
      const first = (cmd.pipeline as Document[] | undefined)?.[0];
      return [first?.$match ?? {}];
    }
    case 'update':
      return ((cmd.updates as Document[] | undefined) ?? []).map((u) => u.q ?? {});
    case 'delete':
      return ((cmd.deletes as Document[] | undefined) ?? []).map((d) => d.q ?? {});
    default:
      return [];
  }
}

/** A filter FerretDB answers from its `_id` index: `_id` alone, equal to one value. */
function isIdLookup(filter: Document): boolean {
  const keys = Object.keys(filter);
  if (keys.length !== 1 || keys[0] !== '_id') return false;
  const v = filter._id as unknown;
  return v === null || typeof v !== 'object' || (v as { _bsontype?: string })._bsontype === 'ObjectId' || (v instanceof Date);
}

const describe = (filter: Document) => (Object.keys(filter).length ? Object.keys(filter).map((k) => (k === '_id' && typeof filter._id === 'object' && filter._id && !('_bsontype' in filter._id) ? `_id ${Object.keys(filter._id).join(',')}` : k)).join(', ') : '(all)');

interface PageRow {
  role: DemoRole;
  page: string;
  status: number;
  commands: number;
  scans: number;
  scanned: string;
  dbMs: number;
  details: string[];
}

export async function benchPages(scale = Number(process.env.BENCH_PAGES_SCALE ?? 10_000)): Promise<BenchReport> {
  const { db } = await benchDatabase(scale);
  // The same database again, with the driver's command monitoring on.
  await disconnect();
  await mongoose.connect(withDatabase(db.uri, 'dongbao'), { dbName: 'dongbao', monitorCommands: true, maxPoolSize: 20 });
  serializeWrites();

  const context = new AsyncLocalStorage<Command[]>();
  const pending = new Map<number, Command>();
  const client = mongoose.connection.getClient();
  client.on('commandStarted', (e: CommandStartedEvent) => {
    const into = context.getStore();
    if (!into) return;
    const collection = String(e.command[e.commandName] ?? '');
    for (const filter of filtersOf(e.commandName, e.command)) {
      const c: Command = { name: e.commandName, collection, filter: describe(filter), byId: isIdLookup(filter), ms: 0 };
      into.push(c);
      pending.set(e.requestId, c);
    }
    if (!filtersOf(e.commandName, e.command).length && e.commandName !== 'getMore') {
      const c: Command = { name: e.commandName, collection, filter: '—', byId: true, ms: 0 };
      into.push(c);
      pending.set(e.requestId, c);
    }
  });
  const done = (e: CommandSucceededEvent | CommandFailedEvent) => {
    const c = pending.get(e.requestId);
    if (c) c.ms += e.duration;
    pending.delete(e.requestId);
  };
  client.on('commandSucceeded', done);
  client.on('commandFailed', done);

  const sizes = new Map<string, number>();
  const sizeOf = async (name: string) => {
    if (!sizes.has(name)) sizes.set(name, await mongoose.connection.collection(name).estimatedDocumentCount());
    return sizes.get(name)!;
  };

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dongbao-pages-bench-'));
  const config = loadConfig({ NODE_ENV: 'production', BASE_URL: 'http://127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', SESSION_SECRET: SECRET, SEED_ON_EMPTY: 'false' });
  const search = new EmbeddedSearch();
  const sync = new SearchSync(search, searchSources, logger);
  process.stderr.write('  pages: building the search index\n');
  await sync.start();
  const app = createApp({ config, logger, lifecycle: new Lifecycle(), search, searchSync: sync });
  // The request is served in the server socket's async context: it enters the counting context here.
  let counting: Command[] | undefined;
  const server = createServer((req, res) => (counting ? context.run(counting, () => app(req, res)) : app(req, res)));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const sessions: SignedIn[] = [];
  const rows: PageRow[] = [];
  try {
    for (const role of ROLES) {
      const [s] = await demoSessions(role, SECRET, 1);
      sessions.push(s!);
      for (const page of navigationPages(role, s!.profileId)) {
        const view = async () => {
          const res = await fetch(base + page, { headers: { cookie: s!.cookie }, redirect: 'manual' });
          await res.arrayBuffer();
          return res.status;
        };
        await view(); // warm: the per-process caches a steady load keeps filled
        const commands: Command[] = [];
        counting = commands;
        const status = await view().finally(() => (counting = undefined));
        const scans = commands.filter((c) => !c.byId);
        const scanned: string[] = [];
        for (const name of [...new Set(scans.map((c) => c.collection))]) scanned.push(`${name} (${(await sizeOf(name)).toLocaleString('en')})`);
        rows.push({
          role,
          page,
          status,
          commands: commands.length,
          scans: scans.length,
          scanned: scanned.join(', ') || '—',
          dbMs: commands.reduce((t, c) => t + c.ms, 0),
          details: scans.map((c) => `${c.name} ${c.collection} {${c.filter}} ${c.ms.toFixed(1)} ms`),
        });
      }
    }
  } finally {
    await endDemoSessions(sessions);
    await new Promise((resolve) => server.close(resolve));
    await sync.stop();
    await disconnect();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const detail = table(
    `Database commands per signed-in page view (second view; ${scale.toLocaleString('en')}-scale bench database; app in process, production mode)`,
    ['role', 'page', 'status', 'commands', 'non-_id filters', 'collections scanned (documents)', 'db ms'],
    rows.map((r) => [r.role, r.page, r.status, r.commands, r.scans, r.scanned, r.dbMs.toFixed(1)]),
  );
  const scans = rows.filter((r) => r.details.length).map((r) => `  ${r.role} ${r.page}:\n${r.details.map((d) => `    ${d}`).join('\n')}`).join('\n');
  return {
    detail: `${detail}\n  non-_id filters:\n${scans || '    none'}`,
    summary: rows.map((r) => ['pages', `${r.role} ${r.page}`, `${r.commands} commands · ${r.scans} non-_id filters${r.scans ? ` (${r.scanned})` : ''}`]),
  };
}
