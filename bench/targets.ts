import type { BenchResults, VariantResult } from './run.js';

/** How a row stands against its target: the ratio it must reach, or pass, and whether it did. */
export interface TargetCheck {
  /** The ratio to reach (a `min` target) or to pass (the best of the rows it must beat). */
  threshold: number;
  met: boolean;
  /** For the table: "≥ 0.90 met", "> 0.712 (@fastify/secure-session) **missed**". */
  text: string;
}

/**
 * A row's target checked against the run: at least its `target` ratio, or a ratio above each of
 * the `beats` rows of the same scenario (the highest of them is the one to pass).
 */
export function checkTarget(row: VariantResult, report: BenchResults): TargetCheck | undefined {
  const ratio = row.median.ratio;
  const verdict = (met: boolean): string => (met ? 'met' : '**missed**');
  if (row.target !== undefined) {
    const met = ratio >= row.target;
    return { threshold: row.target, met, text: `≥ ${row.target.toFixed(2)} ${verdict(met)}` };
  }
  if (row.beats === undefined) return undefined;
  const rivals = report.results.filter(
    (r) => r.scenario === row.scenario && row.beats!.includes(r.variant),
  );
  if (rivals.length === 0) return undefined;
  const best = rivals.reduce((a, b) => (b.median.ratio > a.median.ratio ? b : a));
  const met = ratio > best.median.ratio;
  return {
    threshold: best.median.ratio,
    met,
    text: `> ${best.median.ratio.toFixed(3)} (${best.label}) ${verdict(met)}`,
  };
}
