// npm run bench [-- search|matching|http …]: runs the named benchmarks (all by default) and prints one table
// each, headed by the date and the machine.
import { machine } from './support.ts';
import { benchSearch } from './search.ts';
import { benchMatching } from './matching.ts';

const benches: Record<string, () => Promise<string>> = {
  search: () => benchSearch(process.env.BENCH_SCALES ? process.env.BENCH_SCALES.split(',').map(Number) : undefined),
  matching: () => benchMatching(process.env.BENCH_MATCH_SCALE ? Number(process.env.BENCH_MATCH_SCALE) : undefined),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(benches);
const unknown = names.filter((n) => !benches[n]);
if (unknown.length) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${Object.keys(benches).join(', ')}`);
  process.exit(1);
}
console.log(`TechBridge Dongbao benchmarks · ${machine()}`);
for (const name of names) console.log(await benches[name]!());
process.exit(0);
