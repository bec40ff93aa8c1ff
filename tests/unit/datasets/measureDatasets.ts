/**
 * A one-off measurement, not a test and not timed by any assertion:
 *   nice npx jiti tests/unit/datasets/measureDatasets.ts [examples=100000]
 * Writes a generated JSONL of realistic examples to a temp folder, then prints how long a plain
 * line-split + JSON.parse loop takes (the reference), how long `readDatasetFile` takes to parse
 * and validate it, and how long the hygiene checks take on the same examples.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readDatasetFile, writeDatasetFile } from '../../../src/main/core/datasets/formats';
import { findNearDuplicates, runHygiene } from '../../../src/main/core/datasets/hygiene';
import { tempDir } from '../../helpers/tempDir';
import { syntheticExamples } from './syntheticExamples';

const n = Number(process.argv[2] ?? 100_000);
const dir = tempDir('lathe-measure-');
/** Wall time and this process's CPU time since a mark: the machine is shared, so CPU time is the steadier number. */
const mark = () => ({ wall: performance.now(), cpu: process.cpuUsage() });
const ms = (m: ReturnType<typeof mark>) => {
  const cpu = process.cpuUsage(m.cpu);
  return `${(performance.now() - m.wall).toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU`;
};

try {
  const examples = syntheticExamples(n);
  const path = join(dir.path, 'data.jsonl');
  await writeDatasetFile(
    path,
    examples.map((e) => ({ messages: e.messages, ...(e.split === 'auto' ? {} : { split: e.split }) })),
    'openai',
  );
  const { size } = await stat(path);
  console.log(`${n.toLocaleString('en-US')} examples, ${(size / 1e6).toFixed(1)} MB of JSONL`);

  let t = mark();
  let parsed = 0;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (line !== '') {
      JSON.parse(line);
      parsed++;
    }
  }
  console.log(`reference readline + JSON.parse: ${ms(t)} (${parsed} lines)`);

  t = mark();
  let ok = 0;
  let bad = 0;
  for await (const item of readDatasetFile(path, { format: 'openai' })) {
    if (item.example) ok++;
    else bad++;
  }
  console.log(`readDatasetFile (openai): ${ms(t)} (${ok} examples, ${bad} errors)`);

  t = mark();
  const groups = findNearDuplicates(examples, { threshold: 0.8 });
  console.log(`findNearDuplicates: ${ms(t)} (${groups.length} groups)`);

  t = mark();
  const report = await runHygiene(examples, { nearDuplicateThreshold: 0.8, maxTokens: 2048 });
  console.log(`runHygiene (all checks): ${ms(t)}`, report.counts);
  console.log(
    'per check (ms):',
    Object.fromEntries(Object.entries(report.timings).map(([k, v]) => [k, Math.round(v)])),
  );
} finally {
  dir.remove();
}
