import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes `dir/addonName`: a shared object like a GPU build of the trainer addon on a machine
 * without that GPU's runtime. It links a library whose soname is `soname` (e.g.
 * `liblathe_test_runtime.so.7`), which is deleted after linking, so loading the addon fails with
 * "<soname>: cannot open shared object file". Needs a C compiler (`cc`). Returns the addon's path.
 */
export function writeAddonNeedingLibrary(dir: string, soname: string, addonName: string): string {
  const name = /^lib(.+?)\.so/.exec(soname)?.[1];
  if (!name) throw new Error(`not a library soname: ${soname}`);
  const runtime = join(dir, `${name}.c`);
  writeFileSync(runtime, `int ${name}(void) { return 7; }\n`);
  const entry = join(dir, `${name}_entry.c`);
  writeFileSync(entry, `int ${name}(void);\nint ${name}_entry(void) { return ${name}(); }\n`);
  const lib = join(dir, `lib${name}.so`);
  execFileSync('cc', ['-shared', '-fPIC', `-Wl,-soname,${soname}`, '-o', lib, runtime]);
  const addon = join(dir, addonName);
  execFileSync('cc', ['-shared', '-fPIC', '-o', addon, entry, '-Wl,--no-as-needed', `-L${dir}`, `-l${name}`]);
  rmSync(lib); // the "runtime" is not on this machine
  return addon;
}
