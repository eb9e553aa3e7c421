// npm run bench [-- search|engines|churn|matching|http|pages|import|sessions|targets|xlsx|ferretdb|startup …]:
// runs the named benchmarks (all by default), prints each one's detail table as it finishes, then one summary
// table of every bench's headline figures, headed by the date and the machine. engines, xlsx, ferretdb and
// startup measure the choices in docs/decisions/.
import { machine, table, type BenchReport } from './support.ts';
import { benchSearch } from './search.ts';
import { benchChurn } from './churn.ts';
import { benchMatching } from './matching.ts';
import { benchHttp } from './http.ts';
import { benchPages } from './pages.ts';
import { benchImport, benchSessions } from './abuse.ts';
import { benchTargets } from './targets.ts';
import { benchEngines } from './engines.ts';
import { benchXlsx } from './xlsx.ts';
import { benchFerretdb } from './ferretdb.ts';
import { benchStartup } from './startup.ts';

const benches: Record<string, () => Promise<BenchReport>> = {
  search: () => benchSearch(process.env.BENCH_SCALES ? process.env.BENCH_SCALES.split(',').map(Number) : undefined),
  churn: () => benchChurn(Number(process.env.BENCH_CHURN_RECORDS ?? 20_000), Number(process.env.BENCH_CHURN_EDITS ?? 1_000_000)),
  matching: () => benchMatching(process.env.BENCH_MATCH_SCALE ? Number(process.env.BENCH_MATCH_SCALE) : undefined),
  http: () => benchHttp(),
  pages: () => benchPages(),
  import: () => benchImport(),
  sessions: () => benchSessions(),
  targets: () => benchTargets(),
  xlsx: () => benchXlsx(),
  ferretdb: () => benchFerretdb(),
  startup: () => benchStartup(),
  engines: () => benchEngines(process.env.BENCH_SCALES ? Number(process.env.BENCH_SCALES.split(',')[0]) : undefined),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(benches);
const unknown = names.filter((n) => !benches[n]);
if (unknown.length) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${Object.keys(benches).join(', ')}`);
  process.exit(1);
}
const heading = `TechBridge Dongbao benchmarks · ${machine()}`;
console.log(heading);
const summary: BenchReport['summary'] = [];
for (const name of names) {
  const report = await benches[name]!();
  console.log(report.detail);
  summary.push(...report.summary);
}
console.log(table(`Summary · ${heading}`, ['bench', 'case', 'headline figures'], summary));
process.exit(0);
