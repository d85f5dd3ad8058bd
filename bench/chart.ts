import type { BenchResults } from './run.js';
import { checkTarget } from './targets.js';
import { isBaseline, type Platform, PLATFORMS, platformOf } from './variants.js';

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

const PLATFORM_NAMES: Record<Platform, string> = { express: 'Express', fastify: 'Fastify' };

/**
 * A horizontal bar chart of the median ratio to the platform's bare route, one panel per platform
 * and scenario, targets marked (a row that must beat others: the best of them).
 */
export function renderChart(report: BenchResults): string {
  const scenarios = [...new Set(report.results.map((r) => r.scenario))];
  const panels = PLATFORMS.flatMap((platform) =>
    scenarios.map((scenario) => ({ platform, scenario })),
  );
  const rowHeight = 22;
  const labelWidth = 330;
  const barWidth = 420;
  const scale = (ratio: number): number => (Math.min(ratio, 1.1) / 1.1) * barWidth;
  let y = 40;
  const parts: string[] = [];
  for (const { platform, scenario } of panels) {
    const rows = report.results.filter(
      (r) => r.scenario === scenario && platformOf(r.variant) === platform,
    );
    if (rows.length === 0) continue;
    parts.push(
      `<text x="10" y="${y}" font-weight="bold">${PLATFORM_NAMES[platform]}: ${scenario === 'read' ? 'read-only (guarded page)' : 'write every request (counter)'}</text>`,
    );
    y += 10;
    for (const r of rows) {
      const w = scale(r.median.ratio);
      const target = checkTarget(r, report);
      const color = isBaseline(r.variant)
        ? '#999'
        : target !== undefined
          ? target.met
            ? '#2a9d4b'
            : '#d9534f'
          : '#5b8bd9';
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escape(r.label)}</text>`,
      );
      parts.push(
        `<rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 6}" fill="${color}"/>`,
      );
      parts.push(
        `<text x="${labelWidth + w + 6}" y="${y + 15}">${r.median.ratio.toFixed(2)}</text>`,
      );
      if (target !== undefined) {
        const x = labelWidth + scale(target.threshold);
        parts.push(
          `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${y + 1}" y2="${y + rowHeight - 1}" stroke="#000" stroke-width="2"/>`,
        );
      }
      y += rowHeight;
    }
    y += 24;
  }
  const width = labelWidth + barWidth + 60;
  const axis = labelWidth + scale(1);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="20" font-size="15" font-weight="bold">Throughput relative to the platform's bare route (median of ${report.options.rounds} rounds; black tick = target)</text>
<line x1="${axis}" x2="${axis}" y1="30" y2="${y - 20}" stroke="#bbb" stroke-dasharray="4 3"/>
${parts.join('\n')}
</svg>
`;
}
