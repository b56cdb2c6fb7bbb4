import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
  /** Filled down to the series below it (for stacks, whose values are already cumulative). */
  fill?: boolean;
  /** What the legend shows for a point (a stack shows each part, not the running sum). */
  legend?: (index: number) => string;
  /** Drawn as steps: each value holds until the next point (a share that changes at instants). */
  stepped?: boolean;
}

/** A time chart (uPlot, from the package): `times` in epoch seconds. */
export function TimeChart(props: { title: string; times: number[]; series: ChartSeries[]; format?: (value: number) => string; testId: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(320, element.clientWidth),
      height: 220,
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [{}, { values: (_chart, ticks) => ticks.map((tick) => (props.format ? props.format(tick) : String(tick))), size: 70 }],
      series: [
        {},
        ...props.series.map((series) => ({
          label: series.label,
          stroke: series.color,
          width: 1.5,
          ...(series.fill ? { fill: `${series.color}55` } : {}),
          ...(series.stepped ? { paths: uPlot.paths.stepped?.({ align: 1 }) } : {}),
          // A value between two empty buckets draws no line: mark the points of a sparse series.
          ...(series.values.filter((value) => value !== null).length <= 40 ? { points: { show: true, size: 6 } } : {}),
          ...(series.legend
            ? { value: (_chart: uPlot, _value: number, _series: number, index: number | null) => (index === null ? '–' : (series.legend as (index: number) => string)(index)) }
            : {}),
        })),
      ],
    };
    const data = [props.times, ...props.series.map((series) => series.values)] as uPlot.AlignedData;
    const chart = new uPlot(options, data, element);
    const resize = () => chart.setSize({ width: Math.max(320, element.clientWidth), height: 220 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.destroy();
    };
  }, [props.times, props.series]);
  return (
    <section class="panel chart" data-testid={props.testId}>
      <h3>{props.title}</h3>
      <div ref={host} />
    </section>
  );
}
