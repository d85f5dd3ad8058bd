import type { BenchResults } from './run.js';
import { checkTarget } from './targets.js';
import { BASELINES, LABELS, type Platform, PLATFORMS, platformOf } from './variants.js';

const PLATFORM_NAMES: Record<Platform, string> = { express: 'Express', fastify: 'Fastify' };

/**
 * The results as markdown: a table per platform (Express, Fastify), one row per variant and
 * scenario, each ratio against that platform's bare route.
 */
export function renderTable(report: BenchResults): string {
  const { options } = report;
  const lines = [
    `Node ${report.node}, ${report.cpus} CPUs, load from ${report.loader}${report.pinned ? ' (server on CPU 0, load on CPU 1)' : ''}, Redis: ${report.redis ?? 'shared'}; ` +
      `${options.rounds} rounds, ${options.connections} connections, ${options.warmup} s warm-up + ${options.duration} s measured per variant; ` +
      "ratio = median over rounds of the variant's req/s divided by its platform's bare route's in the slices run beside it, same round.",
  ];
  for (const platform of PLATFORMS) {
    const rows = report.results.filter((r) => platformOf(r.variant) === platform);
    if (rows.length === 0) continue;
    const baseline = LABELS[BASELINES[platform]];
    lines.push(
      '',
      `**${PLATFORM_NAMES[platform]}** (ratio to the bare ${PLATFORM_NAMES[platform]} route, "${baseline}")`,
      '',
      '| scenario | variant | median req/s | server CPU µs/req | p50 ms | p99 ms | ratio to bare | target |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    );
    for (const r of rows) {
      const target = checkTarget(r, report)?.text ?? '';
      lines.push(
        `| ${r.scenario} | ${r.label} | ${r.median.rps.toFixed(0)} | ${r.median.cpuUs.toFixed(1)} | ${r.median.p50.toFixed(2)} | ${r.median.p99.toFixed(1)} | ${r.median.ratio.toFixed(3)} | ${target} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
