import { test } from "node:test";
import assert from "node:assert/strict";
import type { HostFacts } from "../../src/agent/kubelet/node-status/host-facts.js";
import { NodeStatusReporter } from "../../src/agent/kubelet/node-status/status-reporter.js";
import type { ApiClient } from "../../src/shared/client/types.js";
import { rootLogger } from "../../src/shared/log.js";

const noClient = new Proxy({}, { get: () => () => assert.fail("no API call expected") }) as ApiClient;
const log = rootLogger.child({ component: "test" });
log.level = "silent";

function facts(memoryAvailableKi: number): HostFacts {
  return {
    hostname: "n",
    cpus: 2,
    memoryKi: 4 * 1024 * 1024,
    memoryAvailableKi,
    kernelVersion: "6.1.0",
    osImage: "Debian GNU/Linux 12 (bookworm)",
    machineID: "m",
    systemUUID: "",
    bootID: "b",
    nodeFs: { capacityBytes: 1000, availableBytes: 500, inodes: 100, inodesFree: 50 },
    pidsInUse: 100,
    pidMax: 32768,
  };
}

test("a pressure condition holds for the transition period after its signal clears", () => {
  let nowMs = Date.parse("2026-11-27T10:00:00Z");
  let availableKi = 50 * 1024; // under the 100Mi threshold
  const r = new NodeStatusReporter(noClient, { nodeName: "n", containerRuntimeVersion: "docker://27" }, {
    dataDir: "/nonexistent",
    log,
    readFacts: () => facts(availableKi),
    now: () => new Date(nowMs),
    pressureTransitionMs: 60_000,
  });
  assert.equal(r.inputs().pressure.memory, true);
  availableKi = 2 * 1024 * 1024;
  nowMs += 30_000;
  assert.equal(r.inputs().pressure.memory, true, "still within the transition period");
  nowMs += 31_000;
  assert.equal(r.inputs().pressure.memory, false, "period over");
  assert.equal(r.inputs().pressure.disk, false);
});

test("readiness reasons come from the caller", () => {
  let reasons = ["PLEG is not healthy"];
  const r = new NodeStatusReporter(noClient, { nodeName: "n", containerRuntimeVersion: "docker://27" }, { dataDir: "/nonexistent", log, readFacts: () => facts(3_000_000), notReadyReasons: () => reasons });
  assert.deepEqual(r.inputs().notReadyReasons, ["PLEG is not healthy"]);
  reasons = [];
  assert.deepEqual(r.inputs().notReadyReasons, []);
});

test("stop() during the registration back-off ends start() at once", async () => {
  let calls = 0;
  const down = new Proxy({}, {
    get: () => async () => {
      calls++;
      throw new Error("connect ECONNREFUSED");
    },
  }) as ApiClient;
  const r = new NodeStatusReporter(down, { nodeName: "n", containerRuntimeVersion: "docker://27" }, { dataDir: "/nonexistent", log, readFacts: () => facts(3_000_000) });
  const started = Date.now();
  const done = r.start();
  await new Promise((res) => setTimeout(res, 400)); // 100 + 200 ms of back-off: a few attempts
  r.requestSync(); // not registered yet: ignored
  r.stop();
  assert.equal(await done, undefined);
  assert.ok(Date.now() - started < 1000);
  assert.ok(calls >= 2, `retried (${calls} calls)`);
});
