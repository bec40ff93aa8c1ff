/** Relative L2 error of `a` against the reference `ref`. */
export function relErr(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    d += ((a[i] ?? 0) - (ref[i] ?? 0)) ** 2;
    n += (ref[i] ?? 0) ** 2;
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(n), 1e-30);
}
