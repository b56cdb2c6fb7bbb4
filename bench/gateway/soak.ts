// Soak: a fixed request rate through the gateway for a long time, with the mix a gateway meets:
// half streamed, a tenth left by their clients mid-stream, FAULT_RATE of upstream calls failing
// (a 503, a reset, a cut answer), the request log on. Reports memory, heap, event-loop delay and
// descriptors every SAMPLE_SECONDS (with the time the gateway waited for a CPU, which a shared
// machine adds to the delay), descriptors at the end against the start, and request-log rows
// against accepted requests. Run: npm run soak:gateway (SOAK_SECONDS, SOAK_RATE, FAULT_RATE,
// SAMPLE_SECONDS override 1,800 s, 200 requests/s, 5% and 60 s). Writes soak-results.json.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { runSoak } from './soak-run.js';

const result = await runSoak({
  seconds: Number(process.env.SOAK_SECONDS ?? 1_800),
  rate: Number(process.env.SOAK_RATE ?? 200),
  faultRate: Number(process.env.FAULT_RATE ?? 0.05),
  sampleSeconds: Number(process.env.SAMPLE_SECONDS ?? 60),
  pin: true,
});
const report = {
  machine: {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    node: process.version,
    date: new Date().toISOString(),
  },
  ...result,
};
writeFileSync(new URL('soak-results.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
const { samples, ...summary } = report;
console.log(JSON.stringify(summary, null, 2));
console.log('second  rss MB  heap MB  loop p99 / max ms  cpu wait ms  fds  load');
for (const sample of samples) {
  console.log(
    `${String(sample.second).padStart(6)}  ${String(sample.rssMb).padStart(6)}  ${String(sample.heapUsedMb).padStart(7)}  ${`${sample.loopDelayP99Ms} / ${sample.loopDelayMaxMs}`.padStart(17)}  ${String(sample.cpuWaitMs).padStart(11)}  ${String(sample.fds).padStart(4)}  ${sample.loadAverage.toFixed(2)}`,
  );
}
