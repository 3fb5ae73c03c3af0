/**
 * Checks of the benchmark's own machinery (not of kube-lite's speed): percentiles, the smaps
 * reading that splits out wasm memory, and the load generator and watch-latency probe against the
 * bare baseline server. Run: node --import tsx --test test/bench/bench.test.ts
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { loadOrCreateTls, TLS_FILES } from "../../src/server/tls/index.js";
import { startBaseline } from "./baseline.js";
import { runLoad } from "./load.js";
import { fileBackedResidentBytesInSmaps, rssBytes, wasmResidentBytesInSmaps } from "./memory.js";
import { percentile, summarize } from "./stats.js";
import { measureWatchLatency } from "./watch-latency.js";
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
