import type { BenchResult, ModelSummary } from './summarize-bench.js';

const COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#ff9da6', '#9d755d'];

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"]/g,
    (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[char] as string,
  );
}

/** Latency of every answer per model on a log scale, with p50 and p95 marks. */
export function plotLatencySvg(byModel: ReadonlyMap<string, readonly BenchResult[]>): string {
  const names = [...byModel.keys()];
  const all = [...byModel.values()]
    .flat()
    .filter((result) => result.ok)
    .map((result) => Math.max(1, result.latencyMs));
  const min = Math.log10(Math.max(1, Math.min(...all, 1)));
  const max = Math.log10(Math.max(...all, 10)) + 0.05;
  const width = 720;
  const rowHeight = 44;
  const left = 160;
  const height = 60 + names.length * rowHeight;
  const x = (ms: number) =>
    left + ((Math.log10(Math.max(1, ms)) - min) / (max - min || 1)) * (width - left - 20);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14">Latency per answer (ms, log scale)</text>`,
  ];
  for (let decade = Math.floor(min); decade <= Math.ceil(max); decade += 1) {
    const ms = 10 ** decade;
    if (Math.log10(ms) < min || Math.log10(ms) > max) continue;
    parts.push(
      `<line x1="${x(ms)}" y1="28" x2="${x(ms)}" y2="${height - 20}" stroke="#ddd"/>`,
      `<text x="${x(ms)}" y="${height - 6}" text-anchor="middle">${ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`}</text>`,
    );
  }
  names.forEach((name, row) => {
    const y = 40 + row * rowHeight + rowHeight / 2;
    const results = (byModel.get(name) ?? []).filter((result) => result.ok);
    const color = COLORS[row % COLORS.length] as string;
    parts.push(`<text x="${left - 8}" y="${y + 4}" text-anchor="end">${escapeXml(name)}</text>`);
    results.forEach((result, index) => {
      const jitter = ((index * 7919) % 17) - 8;
      parts.push(
        `<circle cx="${x(result.latencyMs).toFixed(1)}" cy="${y + jitter}" r="2.5" fill="${color}" fill-opacity="0.6"/>`,
      );
    });
    const sorted = results.map((result) => result.latencyMs).sort((a, b) => a - b);
    for (const [p, dash] of [
      [0.5, ''],
      [0.95, ' stroke-dasharray="3 2"'],
    ] as const) {
      const value = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
      if (value !== undefined) {
        parts.push(
          `<line x1="${x(value)}" y1="${y - 14}" x2="${x(value)}" y2="${y + 14}" stroke="#000"${dash}/>`,
        );
      }
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Accuracy (with its 95% interval) against cost per 1,000 requests, one point per model. */
export function plotAccuracyCostSvg(summaries: Readonly<Record<string, ModelSummary>>): string {
  const names = Object.keys(summaries);
  const costs = names.map((name) => summaries[name]?.costPer1kUsd ?? 0);
  const maxCost = Math.max(...costs, 0.001) * 1.15;
  const width = 560;
  const height = 380;
  const margin = { left: 60, right: 30, top: 36, bottom: 46 };
  const x = (cost: number) => margin.left + (cost / maxCost) * (width - margin.left - margin.right);
  const y = (accuracy: number) => margin.top + (1 - accuracy) * (height - margin.top - margin.bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">Accuracy vs cost per 1,000 requests</text>`,
    `<rect x="${margin.left}" y="${margin.top}" width="${width - margin.left - margin.right}" height="${height - margin.top - margin.bottom}" fill="none" stroke="#333"/>`,
    `<text x="${width / 2}" y="${height - 8}" text-anchor="middle">USD per 1,000 requests</text>`,
    `<text transform="translate(16 ${height / 2}) rotate(-90)" text-anchor="middle">accuracy</text>`,
  ];
  for (let tick = 0; tick <= 4; tick += 1) {
    const accuracy = tick / 4;
    const cost = (maxCost * tick) / 4;
    parts.push(
      `<text x="${margin.left - 6}" y="${y(accuracy) + 4}" text-anchor="end">${accuracy.toFixed(2)}</text>`,
      `<text x="${x(cost)}" y="${height - margin.bottom + 16}" text-anchor="middle">${cost.toFixed(cost < 1 ? 3 : 2)}</text>`,
    );
  }
  names.forEach((name, index) => {
    const summary = summaries[name] as ModelSummary;
    const cx = x(summary.costPer1kUsd ?? 0);
    const color = COLORS[index % COLORS.length] as string;
    parts.push(
      `<line x1="${cx}" y1="${y(summary.accuracyCi95[0])}" x2="${cx}" y2="${y(summary.accuracyCi95[1])}" stroke="${color}"/>`,
      `<circle cx="${cx}" cy="${y(summary.accuracy)}" r="5" fill="${color}"/>`,
      `<text x="${cx + 8}" y="${y(summary.accuracy) + 4}">${escapeXml(name)}${summary.costPer1kUsd === null ? ' (cost unknown)' : ''}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
