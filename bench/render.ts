// `node bench/out/bench/render.js`: writes bench/results.md and bench/chart.svg again from
// bench/results.json (after a change to how they are drawn, without re-running the load).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChart } from './chart.js';
import type { BenchResults } from './run.js';
import { renderTable } from './table.js';

const dir = join(process.cwd(), 'bench');
const report = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as BenchResults;
writeFileSync(join(dir, 'results.md'), renderTable(report));
writeFileSync(join(dir, 'chart.svg'), renderChart(report));
console.log(renderTable(report));
