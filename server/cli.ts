// Admin commands: `npm run cli -- <command> [options]`. With the same DATA_DIR the CLI uses the running app's
// embedded database (recorded under DATA_DIR/db), otherwise it starts one for the duration of the command.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { openDatabase } from './platform/db/index.ts';
import { Invalid } from './platform/errors.ts';
import { parse } from './platform/http/validate.ts';
import * as accounts from './accounts/service.ts';
import { createUserSchema } from './accounts/schema.ts';
import { createWriteStream, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import type { Actor } from './platform/auth/actor.ts';
import { clock, clockFrom, setClock } from './platform/clock.ts';
import { exportTo, reasonText, startImport } from './imports/service.ts';
import { KIND_NAMES } from './imports/registry.ts';
import { describeSummary, seedDemo, seedScale } from '../seeds/index.ts';
import { createSearchIndex } from './platform/search/index.ts';
import { ChangeReporter, SearchSync } from './platform/search/sync.ts';
import { requestReindex, reindexState } from './platform/search/control.ts';
import { searchSources } from './search/sources.ts';
import { rebuildTallies, useTallyLogger } from './targets/tallies.ts';

export interface CliContext {
  config: Config;
  logger: Logger;
  args: string[];
  options: Record<string, string | boolean | undefined>;
}

interface Command {
  usage: string;
  summary: string;
  options?: Record<string, { type: 'string' | 'boolean' }>;
  /** false: the command does not use the database, none is opened */
  database?: false;
  run(ctx: CliContext): Promise<void>;
}

/** The CLI acts as the district bureau (an administrator at the server has that authority). */
const CLI_ACTOR: Actor = { id: 'cli', email: 'cli@localhost', name: '命令行', role: 'organizer', status: 'active' };

export class CliError extends Error {}

const commands: Record<string, Command> = {
  'user:create': {
    usage: 'user:create --email E --password P --role R [--name N]',
    summary: 'create an active user (roles: enterprise, institution, expert, broker, organizer)',
    options: { email: { type: 'string' }, password: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } },
    async run({ options }) {
      const actor = await accounts.createUser(
        parse(createUserSchema, { ...options, name: options.name ?? String(options.email ?? '').split('@')[0] }),
      );
      console.log(`Created ${actor.role} ${actor.email} (${actor.id}), active.`);
    },
  },
  'token:create': {
    usage: 'token:create --email E [--name N] [--days D]',
    summary: 'create an API token (no second factor; no expiry unless --days); prints it as the last line',
    options: { email: { type: 'string' }, name: { type: 'string' }, days: { type: 'string' } },
    async run({ options }) {
      if (typeof options.email !== 'string') throw new CliError('--email is required');
      const days = options.days === undefined ? undefined : Number(options.days);
      if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) throw new CliError('--days must be a whole number between 1 and 3650');
      const actor = await accounts.findByEmail(options.email);
      if (!actor) throw new CliError(`No user with email ${options.email}.`);
      if (actor.status === 'disabled') throw new CliError(`${options.email} is disabled.`);
      const expiresAt = days === undefined ? undefined : new Date(clock.ms() + days * 86_400_000);
      const { token } = await accounts.createToken(actor, typeof options.name === 'string' ? options.name : 'CLI', expiresAt ? { expiresAt } : {});
      console.log(`Token for ${actor.email} (${actor.role})${expiresAt ? `, valid until ${expiresAt.toISOString()}` : ''}; it is shown once:`);
      console.log(token);
    },
  },
  'totp:reset': {
    usage: 'totp:reset --email E',
    summary: "clear an account's two-step login (a lost phone); an organizer enrols again at the next sign-in",
    options: { email: { type: 'string' } },
    async run({ options }) {
      if (typeof options.email !== 'string') throw new CliError('--email is required');
      const actor = await accounts.findByEmail(options.email);
      if (!actor) throw new CliError(`No user with email ${options.email}.`);
      await accounts.resetTotp(actor.id, CLI_ACTOR);
      console.log(`Two-step login of ${actor.email} cleared and its sessions ended; it enrols again at the next sign-in.`);
    },
  },
  seed: {
    usage: 'seed [--scale N]',
    summary: 'load the demo data (idempotent); --scale N adds N results and N needs for benchmarks',
    options: { scale: { type: 'string' } },
    async run({ options }) {
      const scale = options.scale === undefined ? undefined : Number(options.scale);
      if (scale !== undefined && (!Number.isInteger(scale) || scale < 1 || scale > 1_000_000)) {
        throw new CliError('--scale must be a whole number between 1 and 1,000,000');
      }
      const started = performance.now();
      console.log(describeSummary(await seedDemo()));
      if (scale) {
        const added = await seedScale(scale, (done, total) => process.stderr.write(`\r  scale data: ${done} / ${total}`));
        process.stderr.write('\n');
        console.log(`Scale data: added ${added.results} results and ${added.demands} needs (${scale} of each in all).`);
      }
      console.log(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    },
  },
  reindex: {
    usage: 'reindex',
    summary: 'rebuild the search index beside the live one and swap it in',
    async run({ config, logger }) {
      if (config.meili) {
        // Meilisearch: build the new index here and swap it in.
        const index = await createSearchIndex(config, logger);
        const sync = new SearchSync(index, searchSources, logger);
        const { documents, ms } = await sync.reindex();
        console.log(`Rebuilt the Meilisearch index: ${documents} records in ${(ms / 1000).toFixed(1)} s.`);
        return;
      }
      // The embedded index lives in the running app: ask it, and wait for its answer.
      const asked = await requestReindex();
      console.log('Asked the running app to rebuild its search index…');
      for (let waited = 0; waited < 600_000; waited += 500) {
        const state = await reindexState();
        if (state?.doneAt && state.doneAt >= asked) {
          if (state.error) throw new CliError(`The rebuild failed: ${state.error}`);
          console.log(`Rebuilt: ${state.documents} records.`);
          return;
        }
        if (waited >= 30_000 && !(state?.startedAt && state.startedAt >= asked)) {
          console.log('No running app took the request. The embedded index is built from the database whenever the app starts, so nothing else is needed.');
          return;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new CliError('The app did not finish the rebuild within 10 minutes.');
    },
  },
  routes: {
    usage: 'routes [--module NAME]',
    summary: 'list every route the app serves: method, path, the module that declares it, and who may call it',
    options: { module: { type: 'string' } },
    database: false,
    async run({ config, logger, options }) {
      const { createApp } = await import('./app.ts');
      const { routeList } = await import('./platform/http/route-list.ts');
      const only = typeof options.module === 'string' ? options.module : undefined;
      const routes = routeList(createApp({ config, logger })).filter((r) => !only || r.module === only);
      if (!routes.length) throw new CliError(only ? `No routes in a module named "${only}".` : 'No routes.');
      const width = (f: (r: (typeof routes)[number]) => string) => Math.max(...routes.map((r) => f(r).length));
      const [m, p, mod] = [width((r) => r.method), width((r) => r.path), width((r) => r.module)];
      for (const r of routes) console.log(`${r.method.padEnd(m)}  ${r.path.padEnd(p)}  ${r.module.padEnd(mod)}  ${r.guard}`);
      console.log(`\n${routes.length} routes.`);
    },
  },
  'targets:retally': {
    usage: 'targets:retally',
    summary: "recount the target figures' running totals from the records (after writes made outside the app)",
    async run() {
      const { records, tallies, ms } = await rebuildTallies();
      console.log(`Recounted the target figures: ${records} records in ${tallies} totals, ${(ms / 1000).toFixed(1)} s.`);
    },
  },
  import: {
    usage: 'import <kind> <file.xlsx|file.csv> [--dry-run] [--mode all|valid]',
    summary: 'import records from Excel or CSV; any bad row → nothing is written (--mode valid: the good rows are)',
    options: { 'dry-run': { type: 'boolean' }, mode: { type: 'string' } },
    async run({ args, options }) {
      const [kind, file] = args;
      if (!kind || !file) throw new CliError(`Usage: import <${KIND_NAMES.join('|')}> <file.xlsx|file.csv> [--dry-run] [--mode all|valid]`);
      const mode = options.mode ?? 'all';
      if (mode !== 'all' && mode !== 'valid') throw new CliError('--mode is all (any bad row → nothing is written) or valid (the good rows are written).');
      const { job, writing } = await startImport(CLI_ACTOR, {
        kind,
        filename: path.basename(file),
        buffer: readFileSync(file),
        dryRun: !!options['dry-run'],
        mode,
      });
      console.log(`${job.kindLabel}: ${job.counts.create} to create, ${job.counts.update} to update, ${job.counts.error} bad rows.`);
      if (job.missingColumns.length) console.error(`Missing columns: ${job.missingColumns.join(', ')}`);
      for (const row of job.errors) console.error(`  line ${row.line} (${row.label}): ${reasonText(row.problems ?? [])}`);
      if (job.status === 'invalid') throw new CliError('Nothing was written. Fix the rows above and run again.');
      if (!writing) {
        console.log(job.counts.error ? 'Dry run: the bad rows above would be left out; nothing was written.' : 'Dry run: the file is valid; nothing was written.');
        return;
      }
      const final = await writing;
      if (final.status !== 'done') throw new CliError(final.error ?? 'The import failed.');
      console.log(`Imported ${final.done} rows (job ${final.id}).`);
      if (final.rejected) console.log(`${final.rejected} bad rows were left out; download them with their reasons from /admin/imports/${final.id}/rejected.xlsx.`);
    },
  },
  export: {
    usage: 'export <kind> <file.xlsx|file.csv>',
    summary: 'export records to Excel or CSV',
    async run({ args }) {
      const [kind, file] = args;
      if (!kind || !file || !KIND_NAMES.includes(kind)) throw new CliError(`Usage: export <${KIND_NAMES.join('|')}> <file.xlsx|file.csv>`);
      const format = file.endsWith('.csv') ? 'csv' : 'xlsx';
      // Streamed to the file as the rows are read (imports/service.ts exportTo): nothing holds the whole file.
      const out = createWriteStream(file);
      let rows: number;
      try {
        rows = await exportTo(CLI_ACTOR, kind, format, out);
      } catch (err) {
        // A file half written must not pass for a whole one: close it, then remove it.
        out.destroy();
        await finished(out).catch(() => undefined);
        await rm(file, { force: true });
        throw err;
      }
      console.log(`Exported ${rows} ${kind} to ${file}.`);
    },
  },
};

function help(): string {
  const lines = Object.values(commands).map((c) => `  ${c.usage.padEnd(52)} ${c.summary}`);
  return `Usage: npm run cli -- <command> [options]\n\nCommands:\n${lines.join('\n')}`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help') {
    console.log(help());
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${help()}`);
    return 1;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
  } catch (err) {
    console.error(`${(err as Error).message}\nUsage: npm run cli -- ${command.usage}`);
    return 1;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  if (config.clockAt) setClock(clockFrom(config.clockAt));
  // Logs go to stderr so stdout carries only the command's output (token:create's last line is the token).
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', { stderr: true });
  const database = command.database === false ? undefined : await openDatabase(config, logger, { reuseRunning: true });
  // What the command writes reaches the running instances' search indexes through the change log.
  const reporter = database ? new ChangeReporter(logger) : undefined;
  useTallyLogger(logger);
  try {
    await command.run({ config, logger, args: parsed.positionals, options: parsed.values as CliContext['options'] });
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      console.error(err.message);
      return 1;
    }
    if (err instanceof Invalid) {
      for (const [field, message] of Object.entries(err.fields)) console.error(`--${field}: ${message}`);
      return 1;
    }
    throw err;
  } finally {
    await reporter?.close();
    await database?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
