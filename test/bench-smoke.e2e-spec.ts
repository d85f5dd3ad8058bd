import { runBench } from '../bench/run.js';
import { SCENARIOS, VARIANTS } from '../bench/variants.js';

// The benchmark is never part of npm test; this smoke run (a few requests per variant) is, so
// the harness cannot rot: every variant starts, makes its session and answers.
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
    for (const result of report.results) {
      expect({
        variant: result.variant,
        scenario: result.scenario,
        ok: result.samples[0].ok,
        failed: result.samples[0].failed,
      }).toEqual({
        variant: result.variant,
        scenario: result.scenario,
        ok: 40,
        failed: 0,
      });
    }
  }, 120_000);
});
