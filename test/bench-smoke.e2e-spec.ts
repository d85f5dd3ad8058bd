import { runBench } from '../bench/run.js';
import { SCENARIOS, VARIANTS } from '../bench/variants.js';

// The benchmark is never part of npm test; this smoke run (a few requests per variant) is, so
// the harness cannot rot: every variant and its bare twin start, make their sessions and answer,
// through the same paired slices as a real run.
describe('benchmark harness (smoke run)', () => {
  it('starts every variant in both scenarios and every one answers', async () => {
    const report = await runBench({
      rounds: 1,
      duration: 1,
      warmup: 0,
      connections: 2,
      smoke: true,
      variants: VARIANTS,
      scenarios: SCENARIOS,
      outDir: undefined,
      log: () => undefined,
    });
    expect(report.results).toHaveLength(VARIANTS.length * SCENARIOS.length);
    const twins = VARIANTS.length - 1; // one bare twin per variant; the bare row sums them
    for (const result of report.results) {
      expect({
        variant: result.variant,
        scenario: result.scenario,
        ok: result.samples[0].ok,
        failed: result.samples[0].failed,
      }).toEqual({
        variant: result.variant,
        scenario: result.scenario,
        ok: result.variant === 'bare' ? 40 * twins : 40,
        failed: 0,
      });
      // A ratio against the variant's own twin: a real number, 1 for the bare row itself.
      if (result.variant === 'bare') expect(result.samples[0].ratio).toBe(1);
      else expect(result.samples[0].ratio).toBeGreaterThan(0);
      expect(Number.isFinite(result.samples[0].ratio)).toBe(true);
    }
  }, 300_000);
});
