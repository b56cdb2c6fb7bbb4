/** Escapes text for SVG. */
function escapeXml(text: string): string {
  return text.replace(
    /[<>&"]/g,
    (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[char] as string,
  );
}

const WIDTH = 640;
const HEIGHT = 420;
const MARGIN = { left: 60, right: 20, top: 40, bottom: 50 };

/**
 * A self-contained SVG line chart: strong-call share (x, 0..1) against quality (y), one polyline
 * per series, axes with ticks and a legend.
 */
export function plotCostQualitySvg(options: {
  title: string;
  series: { name: string; color: string; points: [number, number][]; dashed?: boolean }[];
}): string {
  const ys = options.series.flatMap((series) => series.points.map(([, y]) => y));
  const yMin = Math.floor(Math.min(...ys) * 20) / 20;
  const yMax = Math.ceil(Math.max(...ys) * 20) / 20;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (value: number) => MARGIN.left + value * plotWidth;
  const y = (value: number) => MARGIN.top + (1 - (value - yMin) / (yMax - yMin || 1)) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(options.title)}</text>`,
  ];
  for (let tick = 0; tick <= 10; tick += 2) {
    const value = tick / 10;
    parts.push(
      `<line x1="${x(value)}" y1="${MARGIN.top}" x2="${x(value)}" y2="${MARGIN.top + plotHeight}" stroke="#eee"/>`,
      `<text x="${x(value)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${value.toFixed(1)}</text>`,
    );
  }
  const yTicks = 5;
  for (let tick = 0; tick <= yTicks; tick += 1) {
    const value = yMin + ((yMax - yMin) * tick) / yTicks;
    parts.push(
      `<line x1="${MARGIN.left}" y1="${y(value)}" x2="${MARGIN.left + plotWidth}" y2="${y(value)}" stroke="#eee"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(value) + 4}" text-anchor="end">${value.toFixed(2)}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 10}" text-anchor="middle">share of requests sent to the strong model</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">quality (share answered correctly)</text>`,
  );
  options.series.forEach((series, index) => {
    const points = series.points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline points="${points}" fill="none" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<line x1="${MARGIN.left + 12}" y1="${MARGIN.top + 14 + index * 18}" x2="${MARGIN.left + 36}" y2="${MARGIN.top + 14 + index * 18}" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${MARGIN.left + 42}" y="${MARGIN.top + 18 + index * 18}">${escapeXml(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Horizontal bars (0..1) with labels: for per-label recall of intent models. */
export function plotBarsSvg(options: { title: string; bars: { label: string; value: number }[] }): string {
  const rowHeight = 18;
  const height = 50 + options.bars.length * rowHeight;
  const labelWidth = 220;
  const barWidth = WIDTH - labelWidth - 60;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(options.title)}</text>`,
  ];
  options.bars.forEach((bar, index) => {
    const top = 36 + index * rowHeight;
    parts.push(
      `<text x="${labelWidth - 6}" y="${top + 12}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${top + 2}" width="${(bar.value * barWidth).toFixed(1)}" height="${rowHeight - 5}" fill="#4c78a8"/>`,
      `<text x="${labelWidth + bar.value * barWidth + 4}" y="${top + 12}">${bar.value.toFixed(2)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
