import type { BenchResults } from './run.js';

/** The results as a markdown table, one row per variant and scenario. */
export function renderTable(report: BenchResults): string {
  const { options } = report;
  const lines = [
    `Node ${report.node}, ${report.cpus} CPUs, load from ${report.loader}${report.pinned ? ' (server on CPU 0, load on CPU 1)' : ''}, Redis: ${report.redis ?? 'shared'}; ` +
      `${options.rounds} rounds, ${options.connections} connections, ${options.warmup} s warm-up + ${options.duration} s measured per variant; ` +
      "ratio = median over rounds of the variant's req/s divided by the bare route's in the slices run beside it, same round.",
    '',
    '| scenario | variant | median req/s | server CPU µs/req | p50 ms | p99 ms | ratio to bare | target |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of report.results) {
    const target =
      r.target === undefined
        ? ''
        : `≥ ${r.target.toFixed(2)} ${r.median.ratio >= r.target ? 'met' : '**missed**'}`;
    lines.push(
      `| ${r.scenario} | ${r.label} | ${r.median.rps.toFixed(0)} | ${r.median.cpuUs.toFixed(1)} | ${r.median.p50.toFixed(2)} | ${r.median.p99.toFixed(1)} | ${r.median.ratio.toFixed(3)} | ${target} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
