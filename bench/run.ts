import { benchAckLatency } from './ack-latency.ts';
import { benchDashboardList } from './dashboard-list.ts';
import { benchDashboardLive } from './dashboard-live.ts';
import { benchE2BRoundTrips } from './e2b-round-trips.ts';
import { benchEnvironmentReady } from './environment-ready.ts';
import { benchGrepTool } from './grep-tool.ts';
import { benchLoopOverhead } from './loop-overhead.ts';
import { benchMentionLatency } from './mention-latency.ts';
import { benchSandboxReady } from './sandbox-ready.ts';
import { benchSandboxStart } from './sandbox-start.ts';
import { benchThroughput } from './throughput.ts';
import { benchTracingOverhead } from './tracing-overhead.ts';

/** `npm run bench`: every benchmark in one process, each printing its figures and ratios. */
const benchmarks: Record<string, () => Promise<void>> = {
  'sandbox-ready': benchSandboxReady,
  'e2b-round-trips': benchE2BRoundTrips,
  'sandbox-start': benchSandboxStart,
  'grep-tool': benchGrepTool,
  'loop-overhead': benchLoopOverhead,
  'ack-latency': () => benchAckLatency(),
  throughput: benchThroughput,
  'mention-latency': benchMentionLatency,
  'dashboard-list': benchDashboardList,
  'dashboard-live': benchDashboardLive,
  'environment-ready': benchEnvironmentReady,
  'tracing-overhead': benchTracingOverhead,
};

const only = process.argv.slice(2);
for (const [name, bench] of Object.entries(benchmarks)) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n== ${name}`);
  await bench();
}
