import type { FeedbackConfig } from '../../config/index.js';
import type { FeedbackRecord } from '../../storage/index.js';

/**
 * Each rated request's verdict: good when its feedback, each value scaled to 0..1 by its metric's
 * declaration (`true` is 1; a float by its `min` and `max`), averages at least one half. Floats
 * declared without both bounds cannot be scaled and are left out; so are metrics not in `use`.
 */
export function judgeFeedback(
  records: readonly FeedbackRecord[],
  metrics: FeedbackConfig['metrics'],
  use?: readonly string[],
): Map<string, boolean> {
  const sums = new Map<string, { total: number; count: number }>();
  for (const record of records) {
    if (use && !use.includes(record.metric)) continue;
    const metric = metrics[record.metric];
    let scaled: number | undefined;
    if (metric?.type === 'boolean') scaled = record.value >= 0.5 ? 1 : 0;
    else if (metric?.type === 'float' && metric.min !== undefined && metric.max !== undefined)
      scaled = (record.value - metric.min) / (metric.max - metric.min);
    if (scaled === undefined) continue;
    const sum = sums.get(record.requestId) ?? { total: 0, count: 0 };
    sum.total += scaled;
    sum.count += 1;
    sums.set(record.requestId, sum);
  }
  return new Map([...sums].map(([requestId, { total, count }]) => [requestId, total / count >= 0.5]));
}
