import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The llama.cpp source tree that node-llama-cpp bundles (real vocabularies under models/, real chat
 * templates under models/templates/), cloned once from its git bundle into node_modules/.cache.
 */
export function llamaTree(): string {
  const dir = resolve('node_modules/.cache/lathe-llama-tree');
  if (!existsSync(join(dir, 'models', 'templates'))) {
    mkdirSync(resolve('node_modules/.cache'), { recursive: true });
    execFileSync('git', ['clone', '--quiet', resolve('node_modules/node-llama-cpp/llama/gitRelease.bundle'), dir], {
      stdio: 'ignore',
    });
  }
  return dir;
}
