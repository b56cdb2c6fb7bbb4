/**
 * Counters and histograms for what every request updates, rendered in Prometheus' text format.
 *
 * prom-client validates and hashes a label object on every update (it sorts the label names,
 * builds the key, and for a histogram makes a closure per observation): about a dozen updates per
 * request cost 6-14 µs of the gateway's CPU (bench/gateway/RESULTS.md). Here a series is found by
 * its label values joined into one string, and rendering, which a scrape does every few seconds,
 * does the rest. prom-client still serves the process metrics and the gauges read at scrape time.
 */

function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`));
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}

function formatLabels(names: readonly string[], values: readonly string[], first?: string): string {
  const pairs = names.map((name, index) => `${name}="${escapeLabelValue(values[index] as string)}"`);
  if (first !== undefined) pairs.unshift(first);
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
}

function formatHeader(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`;
}

interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

/** A counter with labels; `inc` takes the label values in the order of `labelNames`. */
export class LabelledCounter {
  private readonly series = new Map<string, { values: readonly string[]; total: number }>();
  private readonly labelNames: readonly string[];

  constructor(private readonly options: MetricOptions) {
    this.labelNames = options.labelNames ?? [];
    // An unlabelled counter is exported from the start, at 0.
    if (this.labelNames.length === 0) this.series.set('', { values: [], total: 0 });
  }

  inc(values: readonly string[], by = 1): void {
    if (!(by >= 0) || !Number.isFinite(by)) throw new RangeError(`${this.options.name}: cannot add ${by}`);
    const key = values.join('\u0000');
    const entry = this.series.get(key);
    if (entry) entry.total += by;
    else this.series.set(key, { values: [...values], total: by });
  }

  render(): string {
    let text = formatHeader(this.options.name, this.options.help, 'counter');
    for (const { values, total } of this.series.values()) {
      text += `${this.options.name}${formatLabels(this.labelNames, values)} ${formatNumber(total)}\n`;
    }
    return text;
  }
}

/** A histogram with labels; `observe` takes the label values in the order of `labelNames`. */
export class LabelledHistogram {
  private readonly series = new Map<
    string,
    { values: readonly string[]; counts: Float64Array; sum: number }
  >();
  private readonly labelNames: readonly string[];
  private readonly bounds: readonly number[];

  constructor(private readonly options: MetricOptions & { buckets: readonly number[] }) {
    this.labelNames = options.labelNames ?? [];
    this.bounds = [...options.buckets].sort((a, b) => a - b);
    if (this.labelNames.length === 0) this.series.set('', this.createSeries([]));
  }

  observe(values: readonly string[], value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`${this.options.name}: cannot observe ${value}`);
    const key = values.join('\u0000');
    let entry = this.series.get(key);
    if (!entry) {
      entry = this.createSeries([...values]);
      this.series.set(key, entry);
    }
    // counts[i]: observations in bucket i alone (made cumulative when rendered); the last is +Inf.
    let bucket = 0;
    while (bucket < this.bounds.length && value > (this.bounds[bucket] as number)) bucket += 1;
    entry.counts[bucket] = (entry.counts[bucket] as number) + 1;
    entry.sum += value;
  }

  render(): string {
    const { name } = this.options;
    let text = formatHeader(name, this.options.help, 'histogram');
    for (const { values, counts, sum } of this.series.values()) {
      let cumulative = 0;
      for (let bucket = 0; bucket <= this.bounds.length; bucket += 1) {
        cumulative += counts[bucket] as number;
        const le = bucket < this.bounds.length ? formatNumber(this.bounds[bucket] as number) : '+Inf';
        text += `${name}_bucket${formatLabels(this.labelNames, values, `le="${le}"`)} ${cumulative}\n`;
      }
      const labels = formatLabels(this.labelNames, values);
      text += `${name}_sum${labels} ${formatNumber(sum)}\n${name}_count${labels} ${cumulative}\n`;
    }
    return text;
  }

  private createSeries(values: readonly string[]) {
    return { values, counts: new Float64Array(this.bounds.length + 1), sum: 0 };
  }
}
