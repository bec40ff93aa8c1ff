/**
 * The part of vitest's API that the native GPU tests use (describe, it, it.each, it.for, hooks,
 * ctx.skip, timeouts, and vitest's own `expect`: chai with @vitest/expect's matchers), so that
 * scripts/gpu/gpuTests.ts can bundle those tests into one file that runs on the device machine,
 * which has no node_modules. Tests run one at a time, in order; `run()` returns what happened.
 */
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  GLOBAL_EXPECT,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  chai,
  getState,
  setState,
} from '@vitest/expect';
import type { ExpectStatic } from '@vitest/expect';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

const expectImpl = ((value: unknown, message?: string) => {
  const { assertionCalls } = getState(expectImpl);
  setState({ assertionCalls: assertionCalls + 1 }, expectImpl);
  return chai.expect(value, message);
}) as unknown as ExpectStatic;
Object.assign(expectImpl, chai.expect);
Object.assign(expectImpl, (globalThis as Record<symbol, unknown>)[ASYMMETRIC_MATCHERS_OBJECT]);
expectImpl.getState = () => getState(expectImpl);
expectImpl.setState = (state) => setState(state, expectImpl);
// JestExtend puts `extend(expect, matchers)` on chai.expect (vitest does the same)
const chaiExtend = (chai.expect as unknown as { extend: (e: ExpectStatic, m: unknown) => void }).extend;
expectImpl.extend = (matchers) => chaiExtend(expectImpl, matchers);
setState(
  {
    assertionCalls: 0,
    isExpectingAssertions: false,
    isExpectingAssertionsError: null,
    expectedAssertionsNumber: null,
    expectedAssertionsNumberErrorGen: null,
    currentTestName: '',
  },
  expectImpl,
);
(globalThis as Record<symbol, unknown>)[GLOBAL_EXPECT] = expectImpl;
export const expect = expectImpl;

type Hook = () => unknown;
interface TestContext {
  skip(reason?: string): never;
}
type TestFn = (ctx: TestContext) => unknown;
interface TestOptions {
  timeout?: number;
}
interface Suite {
  name: string;
  tests: { name: string; fn: TestFn; timeout: number }[];
  children: Suite[];
  order: ('test' | 'suite')[];
  beforeAll: Hook[];
  afterAll: Hook[];
  beforeEach: Hook[];
  afterEach: Hook[];
}

const DEFAULT_TIMEOUT = 60_000;
const newSuite = (name: string): Suite => ({
  name,
  tests: [],
  children: [],
  order: [],
  beforeAll: [],
  afterAll: [],
  beforeEach: [],
  afterEach: [],
});
let current = newSuite('');
const root = current;

class Skipped extends Error {}

export function describe(name: string, fn: () => void): void {
  const parent = current;
  const suite = newSuite(name);
  parent.children.push(suite);
  parent.order.push('suite');
  current = suite;
  try {
    fn();
  } finally {
    current = parent;
  }
}

/** it(name, fn, timeout) or it(name, options, fn), as vitest takes them. */
function register(name: string, a: TestFn | TestOptions | undefined, b?: TestFn | number): void {
  const fn = (typeof a === 'function' ? a : b) as TestFn;
  const timeout = typeof b === 'number' ? b : typeof a === 'object' ? (a.timeout ?? DEFAULT_TIMEOUT) : DEFAULT_TIMEOUT;
  current.tests.push({ name, fn, timeout });
  current.order.push('test');
}

/** vitest's test names: %s / %d / %i / %j from the arguments in order, $key from an object case. */
function formatName(name: string, item: unknown, index: number): string {
  const args = Array.isArray(item) ? item : [item];
  let i = 0;
  let out = name.replace(/%[sdij#%]/g, (m) => {
    if (m === '%%') return '%';
    if (m === '%#') return String(index);
    const v = args[i++];
    return m === '%j' ? JSON.stringify(v) : String(v);
  });
  if (item && typeof item === 'object' && !Array.isArray(item))
    out = out.replace(/\$(\w+)/g, (m, k: string) => (k in item ? String((item as Record<string, unknown>)[k]) : m));
  return out;
}

type CaseFn<T> = (item: T, ctx: TestContext) => unknown;
function cases<T>(items: readonly T[], spread: boolean) {
  return (name: string, a: CaseFn<T> | TestOptions, b?: CaseFn<T> | number): void => {
    const fn = (typeof a === 'function' ? a : b) as CaseFn<T>;
    const options: TestOptions = typeof a === 'object' ? a : typeof b === 'number' ? { timeout: b } : {};
    items.forEach((item, index) => {
      const call: TestFn = (ctx) =>
        spread && Array.isArray(item) ? (fn as (...x: unknown[]) => unknown)(...item, ctx) : fn(item, ctx);
      register(formatName(name, item, index), options, call);
    });
  };
}

export const it = Object.assign(register, {
  /** Each case's arrays spread into the arguments. */
  each: <T>(items: readonly T[]) => cases(items, true),
  /** Each case whole, then the test context. */
  for: <T>(items: readonly T[]) => cases(items, false),
});
export const test = it;
export const beforeAll = (fn: Hook): void => void current.beforeAll.push(fn);
export const afterAll = (fn: Hook): void => void current.afterAll.push(fn);
export const beforeEach = (fn: Hook): void => void current.beforeEach.push(fn);
export const afterEach = (fn: Hook): void => void current.afterEach.push(fn);

export interface TestResult {
  name: string;
  state: 'pass' | 'fail' | 'skip';
  seconds: number;
  /** The skip reason, or the failure's message and stack. */
  detail?: string;
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? (e.stack ?? e.message) : String(e));

async function runSuite(
  suite: Suite,
  path: string[],
  each: { before: Hook[]; after: Hook[] },
  out: TestResult[],
  log: (r: TestResult) => void,
): Promise<void> {
  const names = suite.name ? [...path, suite.name] : path;
  const before = [...each.before, ...suite.beforeEach];
  const after = [...suite.afterEach, ...each.after];
  let setupError: unknown = null;
  try {
    for (const h of suite.beforeAll) await h();
  } catch (e) {
    setupError = e;
  }
  let t = 0;
  let c = 0;
  for (const kind of suite.order) {
    if (kind === 'suite') {
      const child = suite.children[c++];
      if (child) await runSuite(child, names, { before, after }, out, log);
      continue;
    }
    const spec = suite.tests[t++];
    if (!spec) continue;
    const name = [...names, spec.name].join(' > ');
    const start = performance.now();
    let result: TestResult;
    if (setupError) {
      result = { name, state: 'fail', seconds: 0, detail: `beforeAll failed: ${errorText(setupError)}` };
    } else {
      const ctx: TestContext = {
        skip(reason?: string): never {
          throw new Skipped(reason ?? '');
        },
      };
      try {
        for (const h of before) await h();
        await withTimeout(
          Promise.resolve().then(() => spec.fn(ctx)),
          spec.timeout,
        );
        result = { name, state: 'pass', seconds: 0 };
      } catch (e) {
        result =
          e instanceof Skipped
            ? { name, state: 'skip', seconds: 0, detail: e.message }
            : { name, state: 'fail', seconds: 0, detail: errorText(e) };
      }
      try {
        for (const h of after) await h();
      } catch (e) {
        if (result.state !== 'fail') result = { name, state: 'fail', seconds: 0, detail: `afterEach: ${errorText(e)}` };
      }
    }
    result.seconds = (performance.now() - start) / 1000;
    out.push(result);
    log(result);
  }
  for (const h of suite.afterAll) {
    try {
      await h();
    } catch (e) {
      const r: TestResult = {
        name: `${names.join(' > ')} (afterAll)`,
        state: 'fail',
        seconds: 0,
        detail: errorText(e),
      };
      out.push(r);
      log(r);
    }
  }
}

/**
 * Imports one test file (which registers its suites here), runs what it registered, and returns
 * the results; a file that fails to import is one failed result.
 */
export async function runFile(
  name: string,
  load: () => Promise<unknown>,
  log: (r: TestResult) => void,
): Promise<TestResult[]> {
  root.children.length = 0;
  root.tests.length = 0;
  root.order.length = 0;
  root.beforeAll.length = 0;
  root.afterAll.length = 0;
  root.beforeEach.length = 0;
  root.afterEach.length = 0;
  const out: TestResult[] = [];
  try {
    await load();
  } catch (e) {
    const r: TestResult = { name: `${name} (import)`, state: 'fail', seconds: 0, detail: errorText(e) };
    log(r);
    return [r];
  }
  await runSuite({ ...root, name }, [], { before: [], after: [] }, out, log);
  return out;
}
