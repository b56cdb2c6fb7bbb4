import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { plotAccuracyCostSvg, plotLatencySvg } from './bench-charts.js';
import type { BenchResult, ModelSummary } from './summarize-bench.js';

export interface BenchReport {
  dataset: string;
  scorer: string;
  items: number;
  models: Record<string, ModelSummary>;
  /** Share of items on which two models were both right or both wrong. */
  agreement: Record<string, number>;
}

function markdownTable(report: BenchReport): string {
  const rows = Object.entries(report.models).map(([name, summary]) =>
    [
      name,
      `${(summary.accuracy * 100).toFixed(1)}% (${(summary.accuracyCi95[0] * 100).toFixed(1)}–${(summary.accuracyCi95[1] * 100).toFixed(1)})`,
      summary.latencyMs.p50.toFixed(0),
      summary.latencyMs.p95.toFixed(0),
      summary.latencyMs.p99.toFixed(0),
      summary.ttftMs.p50.toFixed(0),
      summary.outputTokensPerSecond.toFixed(1),
      String(summary.errors),
      summary.costPer1kUsd === null ? 'unknown' : `$${summary.costPer1kUsd.toFixed(4)}`,
    ].join(' | '),
  );
  return [
    '| model | accuracy (95% CI) | p50 ms | p95 ms | p99 ms | TTFT p50 ms | output tok/s | errors | cost / 1k |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

/** `report.md`, a self-contained `report.html` with inline SVG charts, and `results.jsonl`. */
export async function writeBenchReport(
  directory: string,
  report: BenchReport,
  byModel: ReadonlyMap<string, readonly BenchResult[]>,
): Promise<void> {
  await mkdir(directory, { recursive: true });
  const agreement = Object.entries(report.agreement)
    .map(
      ([pair, value]) =>
        `- ${pair.replace('|', ' and ')}: ${(value * 100).toFixed(1)}% of items (both right or both wrong)`,
    )
    .join('\n');
  const markdown = `# Benchmark: ${report.dataset}\n\n${report.items} items, scorer \`${report.scorer}\`.\n\n${markdownTable(report)}\n\n## Agreement\n\n${agreement || '- (one model)'}\n`;
  await writeFile(join(directory, 'report.md'), markdown);
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchyard benchmark: ${report.dataset}</title>
<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}</style>
</head><body>
<h1>Benchmark: ${report.dataset}</h1>
<p>${report.items} items, scorer <code>${report.scorer}</code>.</p>
<table><tr><th>model</th><th>accuracy</th><th>95% CI</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>TTFT p50 ms</th><th>TTFT p95 ms</th><th>output tok/s</th><th>errors</th><th>cost / 1k</th></tr>
${Object.entries(report.models)
  .map(
    ([name, s]) =>
      `<tr><td>${name}</td><td>${(s.accuracy * 100).toFixed(1)}%</td><td>${(s.accuracyCi95[0] * 100).toFixed(1)}–${(s.accuracyCi95[1] * 100).toFixed(1)}%</td><td>${s.latencyMs.p50}</td><td>${s.latencyMs.p95}</td><td>${s.latencyMs.p99}</td><td>${s.ttftMs.p50}</td><td>${s.ttftMs.p95}</td><td>${s.outputTokensPerSecond}</td><td>${s.errors}</td><td>${s.costPer1kUsd === null ? 'unknown' : `$${s.costPer1kUsd.toFixed(4)}`}</td></tr>`,
  )
  .join('\n')}
</table>
<h2>Latency</h2>
${plotLatencySvg(byModel)}
<h2>Accuracy and cost</h2>
${plotAccuracyCostSvg(report.models)}
<h2>Agreement</h2>
<ul>${Object.entries(report.agreement)
    .map(([pair, value]) => `<li>${pair.replace('|', ' and ')}: ${(value * 100).toFixed(1)}%</li>`)
    .join('')}</ul>
</body></html>
`;
  await writeFile(join(directory, 'report.html'), html);
  const lines = [...byModel.values()].flat().map((result) => JSON.stringify(result));
  await writeFile(join(directory, 'results.jsonl'), `${lines.join('\n')}\n`);
}
