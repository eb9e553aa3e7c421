// Where the files the code reads at run time are (templates, static assets, dictionaries, the launcher's Go
// sources, package.json), whether the code runs as TypeScript from the source tree (tsx, vitest) or compiled into
// build/ (npm start: build/server/main.js, docs/decisions/tsx-in-production.md). The build emits JavaScript only;
// everything else is read from the source tree, so nothing is copied and nothing can be stale.
import { existsSync } from 'node:fs';
import path from 'node:path';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** The checkout: package.json, node_modules/, views/, server/, seeds/ (build/ has no package.json of its own). */
export const projectRoot = findRoot(import.meta.dirname);

/** Where `npm run build` writes the compiled code (tsconfig.build.json's outDir). */
export const buildDir = path.join(projectRoot, 'build');

/**
 * The source-tree folder of a module's folder: `sourceDir(import.meta.dirname)` is the folder itself when running
 * the TypeScript sources and server/… rather than build/server/… when running compiled — for the files that sit
 * beside a module (data/, launcher/).
 */
export function sourceDir(moduleDir: string): string {
  const inBuild = path.relative(buildDir, moduleDir);
  return inBuild.startsWith('..') || path.isAbsolute(inBuild) ? moduleDir : path.join(projectRoot, inBuild);
}
