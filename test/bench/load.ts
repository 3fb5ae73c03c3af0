/**
 * The load generator: `concurrency` workers share one keep-alive client and take request numbers
 * from a common counter until `count` requests are done or the time limit passes (the machines are
 * shared, so a slow run is cut short instead of stalling the whole benchmark).
 */
import { performance } from "node:perf_hooks";
import { BenchClient, type Target, type TimedResponse } from "./client.js";
import { summarize, type LatencySummary } from "./stats.js";

/** One request of a workload: method, path and optional JSON body for request number `i`. */
export interface RequestSpec {
  method: string;
  path: string;
  body?: string;
  /** The status a successful response has (201 for creates, 200 otherwise). */
  expect: number;
}

export interface LoadOptions {
  target: Target;
  concurrency: number;
  /** Measured requests. */
  count: number;
  /** Stop starting new requests after this long; the result says how many were done. */
  timeLimitMs: number;
  /** Requests sent first and not measured, so TLS handshakes and JIT warm-up stay out of the numbers. */
  warmup: number;
  /** Request number `i` (warm-up requests are numbered after the measured ones). */
  request(i: number): RequestSpec;
}

export interface LoadResult {
  target: string;
  concurrency: number;
  completed: number;
  errors: number;
  /** First unexpected response or error, for the report. */
  firstError?: string;
  elapsedMs: number;
  perSecond: number;
  latency: LatencySummary;
  timedOut: boolean;
}

/**
 * Runs one load level and reports throughput and latency of the requests that got the expected status.
 *
 * @example
 *   const r = await runLoad({ target, concurrency: 16, count: 2000, timeLimitMs: 20_000, warmup: 32,
 *     request: (i) => ({ method: "GET", path: `/api/v1/namespaces/default/configmaps/cm-${i % 100}`, expect: 200 }) });
 *   console.log(r.perSecond, r.latency.p99);
 */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const client = new BenchClient(opts.target, opts.concurrency);
  try {
    await runWorkers(client, opts.concurrency, opts.warmup, (i) => opts.request(opts.count + i), Number.POSITIVE_INFINITY);
    const started = performance.now();
    const deadline = started + opts.timeLimitMs;
    const outcome = await runWorkers(client, opts.concurrency, opts.count, opts.request, deadline);
    const elapsedMs = performance.now() - started;
    return {
      target: opts.target.name,
      concurrency: opts.concurrency,
      completed: outcome.latencies.length,
      errors: outcome.errors,
      firstError: outcome.firstError,
      elapsedMs,
      perSecond: (outcome.latencies.length / elapsedMs) * 1000,
      latency: summarize(outcome.latencies),
      timedOut: outcome.started < opts.count,
    };
  } finally {
    client.close();
  }
}

interface WorkerOutcome {
  latencies: number[];
  errors: number;
  firstError?: string;
  started: number;
}

async function runWorkers(client: BenchClient, concurrency: number, count: number, request: (i: number) => RequestSpec, deadline: number): Promise<WorkerOutcome> {
  const outcome: WorkerOutcome = { latencies: [], errors: 0, started: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count && performance.now() < deadline) {
      const spec = request(next++);
      outcome.started++;
      let res: TimedResponse;
      try {
        res = await client.request(spec.method, spec.path, spec.body);
      } catch (err) {
        outcome.errors++;
        outcome.firstError ??= `${spec.method} ${spec.path}: ${(err as Error).message}`;
        continue;
      }
      if (res.status === spec.expect) outcome.latencies.push(res.ms);
      else {
        outcome.errors++;
        outcome.firstError ??= `${spec.method} ${spec.path}: HTTP ${res.status} ${res.body.slice(0, 200)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(count, 1)) }, worker));
  return outcome;
}

/**
 * The round with the median p99 (the number the latency targets are about), with the errors of
 * all rounds added up so none is hidden. With an even count the lower middle is taken.
 *
 * @example medianRound([a, b, c]) // the one of a, b, c whose p99 lies between the other two
 */
export function medianRound(rounds: readonly LoadResult[]): LoadResult {
  if (rounds.length === 0) throw new Error("medianRound needs at least one round");
  const sorted = [...rounds].sort((a, b) => a.latency.p99 - b.latency.p99);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const errors = rounds.reduce((sum, r) => sum + r.errors, 0);
  return { ...median, errors, firstError: rounds.find((r) => r.firstError)?.firstError, timedOut: rounds.some((r) => r.timedOut) };
}
