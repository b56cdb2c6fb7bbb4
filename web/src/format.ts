export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)}%`;
}

export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'unknown';
  const digits = Math.abs(value) >= 100 ? 2 : Math.abs(value) >= 1 ? 3 : 5;
  return `$${value.toFixed(digits)}`;
}

export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 2 : 0)} ms`;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export function formatTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** A model's color, the same on every chart. */
const PALETTE = ['#2f7d4f', '#3a6ea5', '#c0713a', '#8a5db0', '#b04a5a', '#5c8f99', '#9a8a3a', '#777'];
export function colorOf(index: number): string {
  return PALETTE[index % PALETTE.length] as string;
}
