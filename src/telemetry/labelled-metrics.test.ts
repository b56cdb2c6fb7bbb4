import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabelledCounter, LabelledHistogram } from './labelled-metrics.js';

describe('LabelledCounter', () => {
  it('adds per label set and renders the Prometheus text format, values escaped', () => {
    const counter = new LabelledCounter({
      name: 'x_total',
      help: 'Things.\nCounted.',
      labelNames: ['model', 'status'],
    });
    counter.inc(['a', '200']);
    counter.inc(['a', '200'], 2.5);
    counter.inc(['say "hi"\\\n', '500']);
    assert.equal(
      counter.render(),
      [
        '# HELP x_total Things.\\nCounted.',
        '# TYPE x_total counter',
        'x_total{model="a",status="200"} 3.5',
        'x_total{model="say \\"hi\\"\\\\\\n",status="500"} 1',
        '',
      ].join('\n'),
    );
  });

  it('exports an unlabelled counter at 0 before its first increment, and refuses to go down', () => {
    const counter = new LabelledCounter({ name: 'y_total', help: 'Y.' });
    assert.match(counter.render(), /^y_total 0$/m);
    assert.throws(() => counter.inc([], -1), RangeError);
    assert.throws(() => counter.inc([], Number.NaN), RangeError);
    counter.inc([], 0.25);
    assert.match(counter.render(), /^y_total 0\.25$/m);
  });
});

describe('LabelledHistogram', () => {
  it('renders cumulative buckets up to +Inf, then sum and count, per label set', () => {
    const histogram = new LabelledHistogram({
      name: 'h_seconds',
      help: 'H.',
      labelNames: ['route'],
      buckets: [0.1, 0.01, 1],
    });
    for (const value of [0.005, 0.01, 0.5, 3]) histogram.observe(['r'], value);
    assert.equal(
      histogram.render(),
      [
        '# HELP h_seconds H.',
        '# TYPE h_seconds histogram',
        'h_seconds_bucket{le="0.01",route="r"} 2',
        'h_seconds_bucket{le="0.1",route="r"} 2',
        'h_seconds_bucket{le="1",route="r"} 3',
        'h_seconds_bucket{le="+Inf",route="r"} 4',
        'h_seconds_sum{route="r"} 3.515',
        'h_seconds_count{route="r"} 4',
        '',
      ].join('\n'),
    );
    assert.throws(() => histogram.observe(['r'], Number.POSITIVE_INFINITY), RangeError);
  });

  it('exports an unlabelled histogram with empty buckets before its first observation', () => {
    const histogram = new LabelledHistogram({ name: 'o_seconds', help: 'O.', buckets: [0.001] });
    assert.match(histogram.render(), /^o_seconds_bucket\{le="\+Inf"\} 0$/m);
    assert.match(histogram.render(), /^o_seconds_count 0$/m);
  });
});
