import { runBench } from '../bench/run.js';
import {
  baselineOf,
  isBaseline,
  isFastifyVariant,
  SCENARIOS,
  type Scenario,
  VARIANTS,
  type Variant,
} from '../bench/variants.js';

/** A cookie jar of one: GET `path` with the cookies so far, keeping what Set-Cookie sends. */
async function get(
  port: number,
  path: string,
  jar: Map<string, string>,
): Promise<{ status: number; body: string }> {
  const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: cookie ? { cookie } : {},
  });
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(';')[0];
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return { status: res.status, body: await res.text() };
}

/**
 * What a Fastify variant must answer: the bare route, always its page; a session's route, 401
 * before GET /login (read: all are guarded), the page after it, and (write) a counter that the
 * session carries from one request to the next.
 */
async function probeFastify(variant: Variant, scenario: Scenario, port: number): Promise<void> {
  const jar = new Map<string, string>();
  const answers: Array<{ status: number; body: string }> = [];
  if (!isBaseline(variant) && scenario === 'read') answers.push(await get(port, '/profile', jar));
  answers.push(await get(port, '/login', jar));
  answers.push(await get(port, '/profile', jar));
  answers.push(await get(port, '/profile', jar));
  const page = 'Profile page of bench';
  const expected = isBaseline(variant)
    ? [200, 'ok', 200, page, 200, page]
    : scenario === 'read'
      ? [401, expect.anything(), 200, 'ok', 200, page, 200, page]
      : [200, 'ok', 200, `${page}: 1`, 200, `${page}: 2`];
  expect({ variant, scenario, answers: answers.flatMap((a) => [a.status, a.body]) }).toEqual({
    variant,
    scenario,
    answers: expected,
  });
}

// The benchmark is never part of npm test; this smoke run (a few requests per variant) is, so
// the harness cannot rot: every variant and its bare twin start, make their sessions and answer,
// through the same paired slices as a real run. The Fastify variants' answers are checked too.
describe('benchmark harness (smoke run)', () => {
  it('starts every variant in both scenarios and every one answers', async () => {
    const probed: string[] = [];
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
      probe: async ({ variant, scenario, port }) => {
        if (!isFastifyVariant(variant)) return;
        await probeFastify(variant, scenario, port);
        probed.push(`${variant}/${scenario}`);
      },
    });
    expect(probed.sort()).toEqual(
      VARIANTS.filter(isFastifyVariant)
        .flatMap((variant) => SCENARIOS.map((scenario) => `${variant}/${scenario}`))
        .sort(),
    );
    expect(report.results).toHaveLength(VARIANTS.length * SCENARIOS.length);
    // One bare twin per platform; its row sums the requests of every variant it twinned.
    const twinned = (baseline: Variant): number =>
      VARIANTS.filter((v) => !isBaseline(v) && baselineOf(v) === baseline).length;
    for (const result of report.results) {
      expect({
        variant: result.variant,
        scenario: result.scenario,
        ok: result.samples[0].ok,
        failed: result.samples[0].failed,
      }).toEqual({
        variant: result.variant,
        scenario: result.scenario,
        ok: isBaseline(result.variant) ? 40 * twinned(result.variant) : 40,
        failed: 0,
      });
      // A ratio against the variant's own twin: a real number, 1 for a bare row itself.
      if (isBaseline(result.variant)) expect(result.samples[0].ratio).toBe(1);
      else expect(result.samples[0].ratio).toBeGreaterThan(0);
      expect(Number.isFinite(result.samples[0].ratio)).toBe(true);
    }
  }, 300_000);
});
