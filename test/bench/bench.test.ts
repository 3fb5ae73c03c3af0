/**
 * Checks of the benchmark's own machinery (not of kube-lite's speed): percentiles, the smaps
 * reading that splits out wasm memory, the load generator and watch-latency probe against the
 * bare baseline server, and the report (targets, kept notes). Run: node --import tsx --test test/bench/bench.test.ts
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { loadOrCreateTls, TLS_FILES } from "../../src/server/tls/index.js";
import { startBaseline } from "./baseline.js";
import { medianRound, runLoad, type LoadResult } from "./load.js";
import { fileBackedResidentBytesInSmaps, rssBytes, wasmResidentBytesInSmaps, type ProcessMemory } from "./memory.js";
import { NOTES_BEGIN, NOTES_END, renderMarkdown, renderText } from "./report.js";
import { checkTargets, type BenchResults } from "./results.js";
import { percentile, summarize } from "./stats.js";
import { serviceEnvironment, unitEnvironment } from "./pod-start.js";
import { measureWatchLatency, type WatchLatencyResult } from "./watch-latency.js";
import { createConfigMaps, getConfigMaps } from "./workloads.js";

test("percentile is nearest-rank", () => {
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  assert.equal(percentile([1, 2, 3, 4], 99), 4);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
  const values = Array.from({ length: 100 }, (_, i) => 100 - i);
  const s = summarize(values);
  assert.deepEqual([s.count, s.p50, s.p99, s.max, s.mean], [100, 50, 99, 100, 50.5]);
  assert.equal(values[0], 100, "summarize must not sort its input in place");
});

function mapping(start: bigint, size: bigint, perms: string, rssKb: number, file = ""): string {
  const hex = (n: bigint): string => n.toString(16).padStart(12, "0");
  const head = `${hex(start)}-${hex(start + size)} ${perms} 00000000 00:00 0`;
  return `${file ? `${head}                          ${file}` : `${head} `}\nSize: ${size / 1024n} kB\nRss: ${rssKb} kB\nPss: ${rssKb} kB\n`;
}

test("smaps: wasm residency is the accessible part before a wasm guard (not neighbouring malloc arenas); file-backed pages apart", () => {
  const GiB = 1024n ** 3n;
  const MiB = 1024n ** 2n;
  const base = 0x7f0000000000n;
  let at = base;
  const parts: string[] = [];
  const add = (size: bigint, perms: string, rssKb: number, file = ""): void => {
    parts.push(mapping(at, size, perms, rssKb, file));
    at += size;
  };
  add(2n * GiB, "---p", 0); // leading part of the reservation
  add(16n * MiB, "rw-p", 300); // wasm memory grown so far
  add(8n * GiB - 16n * MiB, "---p", 0); // guard
  add(18n * MiB, "rw-p", 18000); // glibc arena right after the reservation
  add(46n * MiB, "---p", 0);
  at += 4096n;
  add(64n * MiB, "r-xp", 5000, "/usr/bin/node");
  at += 4096n;
  add(8n * MiB, "rw-p", 700, "[heap]");
  add(32n * MiB, "rw-p", 1000); // a second wasm memory …
  add(9n * GiB, "---p", 0); // … with its guard
  const smaps = parts.join("");
  assert.equal(wasmResidentBytesInSmaps(smaps), (300 + 1000) * 1024);
  assert.equal(fileBackedResidentBytesInSmaps(smaps), 5000 * 1024);
  assert.equal(wasmResidentBytesInSmaps(mapping(base, 64n * MiB, "rw-p", 5000)), 0);
});

test("load generator and watch probe against the bare baseline server", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-bench-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tls = await loadOrCreateTls({ dir, logger: pino({ level: "silent" }) });
  const baseline = await startBaseline(path.join(dir, TLS_FILES.servingCert), path.join(dir, TLS_FILES.servingKey), tls.caCertPem);
  t.after(() => baseline.stop());
  assert.ok(rssBytes(baseline.pid) > 1024 * 1024);

  const creates = await runLoad({ target: baseline.target, concurrency: 4, count: 50, timeLimitMs: 10_000, warmup: 4, request: createConfigMaps("t") });
  assert.equal(creates.completed, 50);
  assert.equal(creates.errors, 0);
  assert.equal(creates.latency.count, 50);
  assert.ok(creates.perSecond > 0 && creates.latency.p50 > 0 && creates.latency.p99 >= creates.latency.p50);
  assert.equal(creates.timedOut, false);

  // The baseline answers GET with 200, so expecting 201 makes every response an error.
  const wrong = await runLoad({ target: baseline.target, concurrency: 2, count: 10, timeLimitMs: 10_000, warmup: 0, request: (i) => ({ ...getConfigMaps("t", 5)(i), expect: 201 }) });
  assert.equal(wrong.completed, 0);
  assert.equal(wrong.errors, 10);
  assert.match(wrong.firstError ?? "", /HTTP 200/);

  const cut = await runLoad({ target: baseline.target, concurrency: 1, count: 1_000_000, timeLimitMs: 200, warmup: 0, request: getConfigMaps("t", 5) });
  assert.equal(cut.timedOut, true);
  assert.ok(cut.completed > 0 && cut.completed < 1_000_000);

  const watch = await measureWatchLatency({ target: baseline.target, watchers: 5, events: 8, objectName: "w" });
  assert.equal(watch.deliveries, 40);
  assert.equal(watch.missed, 0);
  assert.ok(watch.latency.p50 > 0);
});

function loadResult(target: string, concurrency: number, perSecond: number, p99: number): LoadResult {
  return { target, concurrency, completed: 100, errors: 0, elapsedMs: 1000, perSecond, latency: { count: 100, p50: p99 / 2, p99, mean: p99 / 2, max: p99 }, timedOut: false };
}

function fixtureResults(): BenchResults {
  const memory = (rss: number): ProcessMemory => ({ rssBytes: rss, wasmResidentBytes: 1 << 20, fileBackedResidentBytes: 40 << 20 });
  const watch: WatchLatencyResult = { target: "kube-lite", watchers: 100, events: 10, deliveries: 1000, missed: 0, latency: summarize([1, 2, 3]), writeLatency: summarize([1]) };
  return {
    machine: { cpus: 2, cpuModel: "test cpu", memoryBytes: 2 ** 30, kernel: "Linux test", node: "v20", date: "2026-01-01T00:00:00Z", loadAverage: 0.5 },
    quick: false,
    requestsPerLevel: 100,
    rounds: 1,
    throughput: [
      { op: "create", concurrency: 16, ours: loadResult("kube-lite", 16, 900, 60), baseline: loadResult("bare node", 16, 3000, 5) },
      { op: "create", concurrency: 64, ours: loadResult("kube-lite", 64, 1200, 90), baseline: loadResult("bare node", 64, 3000, 9) },
      { op: "get", concurrency: 16, ours: loadResult("kube-lite", 16, 5000, 4), baseline: loadResult("bare node", 16, 9000, 2) },
    ],
    watch: { ours: watch, baseline: { ...watch, target: "bare node" } },
    store: {
      writes: 10_000,
      writeErrors: 0,
      elapsedMs: 5000,
      writesPerSecond: 2000,
      updates: loadResult("kube-lite", 32, 2000, 30),
      afterWrites: { dbBytes: 10 << 20, walBytes: 4 << 20 },
      afterCompaction: { dbBytes: 1 << 20, walBytes: 0 },
      compactedBy: "server timer",
      currentRevision: 10_015,
      compactRevision: 9_015,
      rowsAfter: 5_000,
    },
    storeKeys: 100,
    storeWritesPerKey: 100,
    memory: { objects: 1000, settleMs: 5000, empty: memory(80 << 20), loaded: memory(99 << 20), longIdleMs: 60_000, settled: memory(90 << 20), afterLoadRssBytes: 120 << 20, peakRssBytes: 130 << 20, baseline: memory(44 << 20) },
    scheduler: [{ metric: "scheduler throughput (100 nodes, 3000 pods)", value: 1500, unit: "pods/s", target: "≥ 1000", ok: true }],
    durationMs: 60_000,
  };
}

test("targets are judged from the measured numbers", () => {
  const checks = checkTargets(fixtureResults());
  assert.deepEqual(
    checks.map((c) => [c.measured, c.met]),
    [
      ["60.0 ms", false],
      ["4.00 ms", true],
      ["1200 at concurrency 64", true],
      ["99.0 MiB", true],
      ["1500 pods/s", true],
    ],
  );
});

test("BENCHMARKS.md keeps the hand-written notes and flags compaction that keeps too many rows", () => {
  const r = fixtureResults();
  const fresh = renderMarkdown(r);
  assert.match(fresh, /\(none yet\)/);
  const notes = "## Notes\n\nThe p99 of creates is dominated by fsync.";
  const refreshed = renderMarkdown(r, fresh.replace("## Notes\n\n(none yet)", notes));
  assert.ok(refreshed.includes(`${NOTES_BEGIN}\n${notes}\n${NOTES_END}`));
  assert.ok(!refreshed.includes("(none yet)"));
  // 1,000 window rows + 100 keys + 15 start-up keys are needed; 5,000 are left.
  assert.match(refreshed, /rows after compaction: 5000, more than the 1115 needed/);
  assert.match(refreshed, /\| create \| 16 \| 900 \|/);
  assert.match(renderText(r), /create p99 at concurrency 16 +≤ 50 ms +60\.0 ms +NO/);
});

test("the median round is the one with the middle p99; errors of every round count", () => {
  const rounds = [loadResult("k", 16, 100, 30), loadResult("k", 16, 200, 10), { ...loadResult("k", 16, 300, 20), errors: 2, firstError: "HTTP 500" }];
  const m = medianRound(rounds);
  assert.equal(m.perSecond, 300);
  assert.equal(m.latency.p99, 20);
  assert.equal(m.errors, 2);
  assert.equal(m.firstError, "HTTP 500");
  assert.equal(medianRound([rounds[0]!, rounds[1]!]).latency.p99, 10);
});

test("a unit's Environment= lines as systemd reads them", () => {
  const unit = `[Service]\nEnvironment="NODE_OPTIONS=--a=1 --b" X=1\n# Environment=IGNORED=1\nEnvironment='Y=two words' X=2\nExecStart=/bin/true\n`;
  assert.deepEqual(unitEnvironment(unit), { NODE_OPTIONS: "--a=1 --b", X: "2", Y: "two words" });
});

test("the agent runs with its unit's V8 sizing: Node accepts it silently and it takes effect", () => {
  const env = serviceEnvironment();
  assert.match(env.NODE_OPTIONS ?? "", /--max-old-space-size=256/);
  assert.equal(env.MALLOC_ARENA_MAX, "1");
  assert.equal(env.NODE_EXTRA_CA_CERTS, undefined);
  const r = spawnSync(process.execPath, ["-e", "const v8 = require('node:v8'); const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space'); console.log(JSON.stringify({ limit: v8.getHeapStatistics().heap_size_limit, newSpace: s.space_size }))"], { env, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "", "no warning from Node or V8");
  const { limit, newSpace } = JSON.parse(r.stdout) as { limit: number; newSpace: number };
  assert.ok(limit <= 260 * 1024 * 1024, `heap limit ${limit}`);
  assert.ok(newSpace <= 2 * 1024 * 1024, `young generation ${newSpace}`);
});
