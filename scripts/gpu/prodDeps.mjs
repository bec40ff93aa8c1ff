// Prints the folders (relative to the repository root) of the given packages and everything they
// depend on at run time, as Node resolves them from node_modules (optional dependencies that are
// not installed are left out, and so is each name in --skip, a prefix): pack.sh copies them into
// .gpu/ for the device machine, which has no node_modules.
//   node scripts/gpu/prodDeps.mjs node-llama-cpp better-sqlite3 --skip @node-llama-cpp/
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = process.cwd();
const args = process.argv.slice(2);
const skipAt = args.indexOf('--skip');
const skip = skipAt >= 0 ? args.slice(skipAt + 1) : [];
const names = skipAt >= 0 ? args.slice(0, skipAt) : args;
const found = new Set();

function locate(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return null;
  }
}

function visit(name, from, optional) {
  if (skip.some((s) => name.startsWith(s))) return;
  const dir = locate(name, from);
  if (!dir) {
    if (optional) return;
    throw new Error(`${name} (needed from ${relative(root, from) || '.'}) is not installed`);
  }
  if (found.has(dir)) return;
  found.add(dir);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir, false);
  for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, dir, true);
  for (const dep of Object.keys(pkg.peerDependencies ?? {})) visit(dep, dir, true);
}

for (const name of names) visit(name, root, false);
console.log(
  [...found]
    .map((d) => relative(root, d))
    .sort()
    .join('\n'),
);
