/**
 * The statistics of the Results tab: Wilson score intervals for a win rate, and Bradley-Terry
 * strengths fitted with Hunter's MM algorithm, shown on the Elo scale.
 */

/**
 * Wilson score interval of a proportion `wins / n` at normal quantile `z` (1.96 = 95 %).
 * Returns null bounds for n = 0. Unlike the normal approximation it stays inside [0, 1] and is
 * sensible for small n and for 0 or n wins.
 */
export function wilsonInterval(wins: number, n: number, z = 1.96): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = wins / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** One game between two players: `score` is what `a` earned (1 win, 0.5 draw, 0 loss). */
export interface Game {
  a: string;
  b: string;
  score: 0 | 0.5 | 1;
}

export interface BradleyTerryOptions {
  /**
   * Virtual draws each player plays against an anchor of strength 1 (default 1). They keep a player
   * with no wins (or no losses) at a finite strength and tie separate groups of players to one
   * scale; 0 gives the plain maximum-likelihood fit, which exists only when every player has won
   * and lost.
   */
  prior?: number;
  /** Stop when no strength changes by more than this, relatively (default 1e-10). */
  tolerance?: number;
  /** Default 10 000. */
  maxIterations?: number;
}

/**
 * Bradley-Terry strengths p (P(i beats j) = p_i / (p_i + p_j)) by Hunter's (2004) MM iteration
 * p_i ← W_i / Σ_j n_ij / (p_i + p_j), where a draw counts half a win for each side. Strengths are
 * normalised to a geometric mean of 1.
 */
export function bradleyTerry(games: readonly Game[], options: BradleyTerryOptions = {}): Map<string, number> {
  const prior = options.prior ?? 1;
  const tolerance = options.tolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? 10_000;
  const players = [...new Set(games.flatMap((g) => [g.a, g.b]))].sort();
  const index = new Map(players.map((p, i) => [p, i]));
  const n = players.length;
  const wins = new Float64Array(n);
  // Games between each pair, symmetric.
  const count = Array.from({ length: n }, () => new Float64Array(n));
  for (const g of games) {
    const i = index.get(g.a) as number;
    const j = index.get(g.b) as number;
    if (i === j) continue;
    wins[i] = (wins[i] as number) + g.score;
    wins[j] = (wins[j] as number) + (1 - g.score);
    (count[i] as Float64Array)[j] = ((count[i] as Float64Array)[j] as number) + 1;
    (count[j] as Float64Array)[i] = ((count[j] as Float64Array)[i] as number) + 1;
  }
  let p = new Float64Array(n).fill(1);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const pi = p[i] as number;
      // The anchor (strength 1) adds `prior` games with half a win each.
      let denominator = prior / (pi + 1);
      const row = count[i] as Float64Array;
      for (let j = 0; j < n; j++) {
        const nij = row[j] as number;
        if (nij > 0) denominator += nij / (pi + (p[j] as number));
      }
      const w = (wins[i] as number) + prior / 2;
      next[i] = denominator > 0 && w > 0 ? w / denominator : Number.MIN_VALUE;
    }
    // With an anchor the scale is fixed; without one, normalise to a geometric mean of 1.
    if (prior === 0) normalise(next);
    let change = 0;
    for (let i = 0; i < n; i++) change = Math.max(change, Math.abs((next[i] as number) / (p[i] as number) - 1));
    p = next;
    if (change < tolerance) break;
  }
  normalise(p);
  return new Map(players.map((player, i) => [player, p[i] as number]));
}

function normalise(p: Float64Array): void {
  if (p.length === 0) return;
  let logSum = 0;
  for (const v of p) logSum += Math.log(v);
  const scale = Math.exp(logSum / p.length);
  for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) / scale;
}

/** A Bradley-Terry strength on the Elo scale: 1000 for strength 1, +400 per tenfold odds. */
export function eloScale(strength: number): number {
  return 1000 + 400 * Math.log10(strength);
}
