import { useMemo } from 'preact/hooks';
import type { Group, Percentiles, Stats } from './api.js';
import { type ChartSeries, TimeChart } from './chart.js';
import { colorOf, formatCount, formatMs, formatPercent, formatUsd } from './format.js';

function Card(props: { label: string; value: string; note?: string | undefined; testId: string; warn?: boolean }) {
  return (
    <div class={props.warn ? 'card warn' : 'card'} data-testid={props.testId}>
      <div class="label">{props.label}</div>
      <div class="value">{props.value}</div>
      {props.note ? <div class="note">{props.note}</div> : null}
    </div>
  );
}

function GroupTable(props: { title: string; groups: Group[]; testId: string; onPick?: (key: string) => void }) {
  return (
    <section class="panel" data-testid={props.testId}>
      <h3>{props.title}</h3>
      <table>
        <thead>
          <tr>
            <th>{props.title.replace(/^By /, '')}</th>
            <th class="num">requests</th>
            <th class="num">SLM share</th>
            <th class="num">errors</th>
          </tr>
        </thead>
        <tbody>
          {props.groups.map((group) => (
            <tr key={String(group.key)}>
              <td>
                {props.onPick && group.key !== null ? (
                  <button type="button" class="link" onClick={() => props.onPick?.(group.key as string)}>
                    {group.key}
                  </button>
                ) : (
                  (group.key ?? '(none)')
                )}
              </td>
              <td class="num">{formatCount(group.requests)}</td>
              <td class="num">{formatPercent(group.requests ? group.local / group.requests : null)}</td>
              <td class="num">{formatCount(group.errors)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function percentileCells(values: Percentiles) {
  return [values.p50, values.p95, values.p99].map((value, index) => (
    <td class="num" key={index}>
      {formatMs(value)}
    </td>
  ));
}

export type PickFilter = (name: 'model' | 'rule' | 'taskType' | 'reason' | 'status', value: string) => void;

/** Every section of the overview, each shown only when its data exists. */
export function Overview(props: { stats: Stats; onPick: PickFilter }) {
  const { stats } = props;
  const { totals } = stats;
  const charts = useMemo(() => {
    const times = stats.series.map((bucket) => Date.parse(bucket.at) / 1000);
    const names = [...new Set(stats.series.flatMap((bucket) => Object.keys(bucket.models)))];
    // Stacked: each series is the running sum up to it, drawn top first so each fill shows its part.
    const stack: ChartSeries[] = names
      .map((name, index) => ({
        label: name,
        color: colorOf(index),
        fill: true,
        values: stats.series.map((bucket) => names.slice(0, index + 1).reduce((sum, key) => sum + (bucket.models[key] ?? 0), 0)),
        legend: (point: number) => formatCount(stats.series[point]?.models[name] ?? 0),
      }))
      .reverse();
    const rates: ChartSeries[] = [
      { label: 'SLM share', color: colorOf(0), values: stats.series.map((bucket) => bucket.localShare) },
      { label: 'escalation rate', color: colorOf(2), values: stats.series.map((bucket) => bucket.escalationRate) },
      { label: 'fallback rate', color: colorOf(4), values: stats.series.map((bucket) => bucket.fallbackRate) },
    ];
    const money: ChartSeries[] = [
      { label: 'cost', color: colorOf(2), values: stats.series.map((bucket) => bucket.costUsd) },
      { label: 'baseline cost', color: colorOf(1), values: stats.series.map((bucket) => bucket.baselineCostUsd) },
    ];
    return { times, stack, rates, money };
  }, [stats]);
  const unknown = totals.unknownCost;
  return (
    <div>
      <div class="cards">
        <Card testId="card-requests" label="Requests" value={formatCount(totals.requests)} note={`${formatCount(totals.answered)} answered`} />
        <Card testId="card-slm-share" label="SLM share" value={formatPercent(totals.localShare)} note={`${formatCount(totals.local)} by local models`} />
        <Card testId="card-escalation" label="Escalation rate" value={formatPercent(totals.escalationRate)} note={`${formatCount(totals.escalated)} escalated`} />
        <Card testId="card-fallback" label="Fallback rate" value={formatPercent(totals.fallbackRate)} note={`${formatCount(totals.fallbacks)} fallbacks`} />
        <Card testId="card-errors" label="Error rate" value={formatPercent(totals.errorRate)} note={`${formatCount(totals.errors)} errors`} />
        <Card testId="card-cost" label="Cost" value={formatUsd(totals.costUsd)} warn={unknown > 0}
          note={unknown > 0 ? `+ ${formatCount(unknown)} requests of unknown cost` : 'all costs known'} />
        <Card testId="card-baseline" label="Baseline cost" value={formatUsd(totals.baselineCostUsd)} note="the baseline model for the same answers" />
        <Card testId="card-savings" label="Savings" value={formatUsd(totals.savingsUsd)} note={`${formatPercent(totals.savingsShare)} of baseline`} />
        <Card testId="card-projected" label="Projected / month" value={formatUsd(totals.projectedMonthlySavingsUsd)} note="savings at this range's rate" />
      </div>
      <div class="charts">
        <TimeChart testId="chart-split" title="Requests by served model" times={charts.times} series={charts.stack} />
        <TimeChart testId="chart-rates" title="SLM share, escalation and fallback rates" times={charts.times} series={charts.rates}
          format={(value) => `${Math.round(value * 100)}%`} />
        <TimeChart testId="chart-money" title="Cost and baseline cost (USD)" times={charts.times} series={charts.money}
          format={(value) => `$${value.toPrecision(2)}`} />
      </div>
      <div class="grid">
        <section class="panel" data-testid="latency">
          <h3>Latency{stats.latency.exact ? '' : ' (≈, binned)'}</h3>
          <table>
            <thead>
              <tr><th>model</th><th class="num">n</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th class="num">TTFT p50</th><th class="num">TTFT p95</th><th class="num">TTFT p99</th></tr>
            </thead>
            <tbody>
              {stats.latency.models.map((row) => (
                <tr key={row.model}>
                  <td>{row.model}</td>
                  <td class="num">{formatCount(row.latencyMs.count)}</td>
                  {percentileCells(row.latencyMs)}
                  {percentileCells(row.ttftMs)}
                </tr>
              ))}
              <tr class="overhead" data-testid="overhead">
                <td>gateway overhead</td>
                <td class="num">{formatCount(stats.latency.overheadMs.count)}</td>
                {percentileCells(stats.latency.overheadMs)}
                <td colSpan={3} />
              </tr>
            </tbody>
          </table>
        </section>
        <section class="panel" data-testid="health">
          <h3>Health (this replica)</h3>
          <table>
            <thead><tr><th>model</th><th>provider</th><th>ready</th><th>circuit</th><th class="num">running</th><th class="num">waiting</th></tr></thead>
            <tbody>
              {stats.health.models.map((model) => (
                <tr key={model.model}>
                  <td>{model.model}{model.local ? ' (local)' : ''}</td>
                  <td>{model.provider}</td>
                  <td>{model.ready ? 'yes' : 'no'}</td>
                  <td class={model.circuit === 'closed' ? '' : 'bad'}>{model.circuit}</td>
                  <td class="num">{model.queue ? model.queue.running : '–'}</td>
                  <td class="num">{model.queue ? model.queue.waiting : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {stats.health.requestLog ? (
            <p data-testid="log-rows">
              Request log: {formatCount(stats.health.requestLog.pendingRows)} rows pending,{' '}
              <span class={stats.health.requestLog.failedRows > 0 ? 'bad' : ''}>{formatCount(stats.health.requestLog.failedRows)} failed</span>
            </p>
          ) : (
            <p>Request log: off</p>
          )}
        </section>
      </div>
      <h2>Why</h2>
      <div class="grid">
        <GroupTable testId="why-rules" title="By rule" groups={stats.why.rules} onPick={(key) => props.onPick('rule', key)} />
        <GroupTable testId="why-task-types" title="By task type" groups={stats.why.taskTypes} onPick={(key) => props.onPick('taskType', key)} />
        <GroupTable testId="why-reasons" title="By reason" groups={stats.why.reasons} onPick={(key) => props.onPick('reason', key)} />
        <GroupTable testId="why-statuses" title="By status" groups={stats.why.statuses} onPick={(key) => props.onPick('status', key)} />
      </div>
      <Spend stats={stats} />
      <Evidence stats={stats} />
    </div>
  );
}

function Spend(props: { stats: Stats }) {
  const spend = props.stats.spend;
  if (!spend) return null;
  return (
    <>
    <h2>Spend</h2>
    <section class="panel" data-testid="spend">
      <h3>Spend against budget (current period)</h3>
      <table>
        <thead><tr><th>tenant / key</th><th>period</th><th class="num">spent</th><th class="num">budget</th><th class="num">used</th></tr></thead>
        <tbody>
          {spend.tenants.flatMap((tenant) => [
            <tr key={tenant.tenant}>
              <td><b>{tenant.tenant}</b></td><td>{tenant.period}</td><td class="num">{formatUsd(tenant.spentUsd)}</td>
              <td class="num">{tenant.budgetUsd === null ? 'none' : formatUsd(tenant.budgetUsd)}</td>
              <td class="num">{tenant.budgetUsd ? formatPercent(tenant.spentUsd / tenant.budgetUsd) : '–'}</td>
            </tr>,
            ...tenant.keys.map((key) => (
              <tr key={key.id}>
                <td class="indent">{key.prefix}… {key.revoked ? '(revoked)' : ''}</td><td>{key.period}</td><td class="num">{formatUsd(key.spentUsd)}</td>
                <td class="num">{key.budgetUsd === null ? 'none' : formatUsd(key.budgetUsd)}</td>
                <td class="num">{key.budgetUsd ? formatPercent(key.spentUsd / key.budgetUsd) : '–'}</td>
              </tr>
            )),
          ])}
        </tbody>
      </table>
    </section>
    </>
  );
}

function Evidence(props: { stats: Stats }) {
  const evidence = props.stats.evidence;
  if (!evidence?.shadow && !evidence?.rollouts && !evidence?.feedback) return null;
  return (
    <div data-testid="evidence">
    <h2>Evidence</h2>
    <div class="grid">
      {evidence.shadow ? (
        <section class="panel wide" data-testid="shadow">
          <h3>Shadow agreement</h3>
          <table>
            <thead><tr><th>pair</th><th>route</th><th>task type</th><th class="num">pairs</th><th class="num">agreement</th><th class="num">95% interval</th></tr></thead>
            <tbody>
              {evidence.shadow.map((group) => (
                <tr key={`${group.from}${group.to}${group.route}${group.taskType}`}>
                  <td>{group.from} → {group.to}</td><td>{group.route ?? '–'}</td><td>{group.taskType ?? '–'}</td>
                  <td class="num">{formatCount(group.pairs)}</td><td class="num">{formatPercent(group.agreement)}</td>
                  <td class="num">{group.interval ? `${formatPercent(group.interval[0])}–${formatPercent(group.interval[1])}` : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {evidence.feedback ? (
        <section class="panel" data-testid="feedback">
          <h3>Feedback by model</h3>
          <table>
            <thead><tr><th>model</th><th>metric</th><th class="num">ratings</th><th class="num">mean</th></tr></thead>
            <tbody>
              {evidence.feedback.map((row) => (
                <tr key={`${row.model}${row.metric}`}>
                  <td>{row.model ?? '–'}</td><td>{row.metric}</td><td class="num">{formatCount(row.ratings)}</td>
                  <td class="num">{row.mean.toFixed(3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {evidence.rollouts?.map((rollout) => (
        <Rollout key={rollout.id} rollout={rollout} range={props.stats.range} />
      ))}
    </div>
    </div>
  );
}

type RolloutEvidence = NonNullable<NonNullable<Stats['evidence']>['rollouts']>[number];

/**
 * One rollout's share over the range, a step at each change, and the changes with their causes.
 * The share before the range's first change is that change's starting share.
 */
function Rollout(props: { rollout: RolloutEvidence; range: Stats['range'] }) {
  const { rollout } = props;
  const from = Date.parse(props.range.from) / 1000;
  const to = Date.parse(props.range.to) / 1000;
  const { times, series } = useMemo(() => {
    const first = rollout.changes[0];
    const points: [number, number][] = [
      [from, first ? first.fromShare : rollout.share],
      ...rollout.changes.map((change): [number, number] => [change.at / 1000, change.toShare]),
      [to, rollout.share],
    ];
    return {
      times: points.map(([at]) => at),
      series: [{ label: 'share', color: colorOf(0), values: points.map(([, share]) => share), stepped: true }],
    };
  }, [rollout, from, to]);
  return (
    <div data-testid="rollouts" data-rollout={rollout.id}>
      <TimeChart
        testId="rollout-chart"
        title={`Rollout ${rollout.id}: ${formatPercent(rollout.share)}${rollout.paused ? ' (paused)' : ''}`}
        times={times}
        series={series}
        format={(value) => formatPercent(value)}
      />
      <section class="panel">
      <h3>Changes of {rollout.id} in this range</h3>
      <table data-testid="rollout-changes">
        <thead><tr><th>time (UTC)</th><th class="num">from</th><th class="num">to</th><th>cause</th></tr></thead>
        <tbody>
          {rollout.changes.map((change, index) => (
            <tr key={index}>
              <td>{new Date(change.at).toISOString()}</td><td class="num">{formatPercent(change.fromShare)}</td>
              <td class="num">{formatPercent(change.toShare)}</td><td>{change.cause}</td>
            </tr>
          ))}
          {rollout.changes.length === 0 ? <tr><td colSpan={4}>no change in this range</td></tr> : null}
        </tbody>
      </table>
      </section>
    </div>
  );
}
