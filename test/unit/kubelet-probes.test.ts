// Probe logic of the kubelet: thresholds and initial outcomes (upstream probe worker), the probe
// manager over a fake runtime's exec (startup gating, liveness hold, seeded readiness after an
// adoption), and the httpGet/tcpSocket actions against servers on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import type { Container } from "kubernetes-types/core/v1.js";
import type { ContainerRuntime, ExecOptions, StreamSession } from "../../src/agent/kubelet/runtime/types.js";
import { ProbeState, initialOutcome } from "../../src/agent/kubelet/pod-workers/probes/probe-state.js";
import { ProbeManager, probeFailureMessage } from "../../src/agent/kubelet/pod-workers/probes/probe-manager.js";
import { httpGetAction, resolvePort, runHandler, tcpSocketAction, PROBE_USER_AGENT } from "../../src/agent/kubelet/pod-workers/probes/handlers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("initial outcomes: readiness fails, liveness passes, startup unknown", () => {
  assert.equal(initialOutcome("readiness"), "failure");
  assert.equal(initialOutcome("liveness"), "success");
  assert.equal(initialOutcome("startup"), "unknown");
});

test("a result is reported only after its threshold of consecutive runs", () => {
  const s = new ProbeState("readiness", { successThreshold: 2, failureThreshold: 3 });
  assert.equal(s.outcome, "failure");
  assert.equal(s.record(true), false, "one success of two");
  assert.equal(s.record(true), true, "two successes: ready");
  assert.equal(s.outcome, "success");
  assert.equal(s.record(false), false);
  assert.equal(s.record(true), false, "the failure run is broken");
  assert.equal(s.record(false), false);
  assert.equal(s.record(false), false);
  assert.equal(s.record(false), true, "three failures in a row");
  assert.equal(s.outcome, "failure");
});

test("liveness and startup always use successThreshold 1; defaults as upstream", () => {
  const l = new ProbeState("liveness", { successThreshold: 5 });
  assert.equal(l.periodMs, 10_000);
  assert.equal(l.timeoutMs, 1_000);
  assert.equal(l.initialDelayMs, 0);
  l.record(false);
  l.record(false);
  assert.equal(l.record(false), true);
  assert.equal(l.record(true), true, "one success recovers");
  const d = new ProbeState("readiness", { initialDelaySeconds: 5 });
  assert.equal(d.due(4_999), false);
  assert.equal(d.due(5_000), true);
});

/** A runtime whose exec answers from a table: command's first word → exit code. */
function fakeRuntime(answers: Map<string, number>, calls: string[]): ContainerRuntime {
  return {
    async exec(id: string, o: ExecOptions): Promise<StreamSession> {
      const word = o.command[0] ?? "";
      calls.push(`${id}:${word}`);
      const out = new PassThrough();
      out.end(`${word} output`);
      return { stdin: null, stdout: out, stderr: null, resize: async () => undefined, exitCode: Promise.resolve(answers.get(word) ?? 1), close() {} };
    },
  } as unknown as ContainerRuntime;
}

function probeContainer(over: Partial<Container>): Container {
  return { name: "app", image: "busybox", ...over };
}

test("probe manager: liveness and readiness wait for the startup probe; a liveness failure holds probing", async () => {
  const answers = new Map([["started", 1], ["live", 0], ["ready", 0]]);
  const calls: string[] = [];
  const failures: string[] = [];
  let changes = 0;
  const m = new ProbeManager({
    runtime: fakeRuntime(answers, calls),
    podIP: () => "127.0.0.1",
    onChange: () => changes++,
    onFailure: (c, kind, out) => failures.push(probeFailureMessage(kind, out)),
  });
  // periodSeconds can only be whole seconds; the timers here run at their first, immediate, slot and then 1 s apart.
  const spec = probeContainer({
    startupProbe: { exec: { command: ["started"] }, periodSeconds: 1, failureThreshold: 10 },
    livenessProbe: { exec: { command: ["live"] }, periodSeconds: 1, failureThreshold: 1 },
    readinessProbe: { exec: { command: ["ready"] }, periodSeconds: 1 },
  });
  m.sync([{ spec, containerId: "c1", startedAt: new Date() }]);
  try {
    await sleep(150);
    assert.equal(m.started("c1"), false);
    assert.equal(m.ready("c1"), false);
    assert.deepEqual(calls, ["c1:started"], "only the startup probe runs before startup succeeds");
    assert.deepEqual(failures, ["Startup probe failed: started output"]);
    answers.set("started", 0);
    await sleep(1_200);
    assert.equal(m.started("c1"), true);
    await sleep(1_100);
    assert.ok(calls.includes("c1:live") && calls.includes("c1:ready"), calls.join(","));
    assert.equal(m.ready("c1"), true);
    assert.equal(m.failed("c1"), undefined);
    assert.ok(changes >= 2);
    answers.set("live", 1);
    await sleep(1_100);
    assert.equal(m.failed("c1"), "liveness");
    const livenessRuns = calls.filter((c) => c === "c1:live").length;
    await sleep(1_100);
    assert.equal(calls.filter((c) => c === "c1:live").length, livenessRuns, "on hold until a new instance");
    // The restarted instance gets fresh probes.
    m.sync([{ spec: probeContainer({ livenessProbe: { exec: { command: ["live"] }, periodSeconds: 1 } }), containerId: "c2", startedAt: new Date() }]);
    assert.equal(m.failed("c2"), undefined);
    assert.equal(m.ready("c1"), false, "the old instance is forgotten");
  } finally {
    m.stop();
  }
});

test("probe manager: an adopted container that was ready stays ready until a probe says otherwise", async () => {
  const calls: string[] = [];
  const m = new ProbeManager({ runtime: fakeRuntime(new Map([["ready", 0]]), calls), podIP: () => "", onChange() {}, onFailure() {} });
  const spec = probeContainer({ readinessProbe: { exec: { command: ["ready"] }, periodSeconds: 1, initialDelaySeconds: 60 } });
  m.sync([{ spec, containerId: "old", startedAt: new Date(), was: { ready: true, started: true } }]);
  m.sync([{ spec, containerId: "old", startedAt: new Date() }, { spec, containerId: "new", startedAt: new Date() }]);
  try {
    assert.equal(m.ready("old"), true);
    assert.equal(m.ready("new"), false, "a new container starts not ready");
    await sleep(50);
    assert.deepEqual(calls, [], "initialDelaySeconds holds the first run");
  } finally {
    m.stop();
  }
});

test("httpGet: 2xx/3xx succeed, others fail with upstream's message; headers, named ports and timeouts", async () => {
  let seen: Record<string, string | string[] | undefined> = {};
  const server = createHttpServer((req, res) => {
    seen = req.headers;
    if (req.url === "/slow") return void setTimeout(() => res.end("late"), 2_000);
    res.statusCode = req.url === "/healthz" ? 200 : req.url === "/moved" ? 302 : 503;
    res.end("body");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const c = probeContainer({ ports: [{ name: "http", containerPort: port }] });
  try {
    assert.deepEqual(await httpGetAction({ path: "/healthz", port: "http", httpHeaders: [{ name: "X-Probe", value: "yes" }] }, c, "127.0.0.1", 1_000), { ok: true, output: "body" });
    assert.equal(seen["user-agent"], PROBE_USER_AGENT);
    assert.equal(seen["x-probe"], "yes");
    assert.equal((await httpGetAction({ path: "/moved", port }, c, "127.0.0.1", 1_000)).ok, true);
    assert.deepEqual(await httpGetAction({ path: "/down", port }, c, "127.0.0.1", 1_000), { ok: false, output: "HTTP probe failed with statuscode: 503" });
    const slow = await httpGetAction({ path: "/slow", port }, c, "127.0.0.1", 200);
    assert.equal(slow.ok, false);
    assert.match(slow.output ?? "", /Client\.Timeout exceeded/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test("tcpSocket: an accepted connection succeeds, a refused one fails", async () => {
  const server = createTcpServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const c = probeContainer({});
  try {
    assert.equal((await tcpSocketAction({ port }, c, "127.0.0.1", 1_000)).ok, true);
  } finally {
    await new Promise((r) => server.close(r));
  }
  const refused = await tcpSocketAction({ port }, c, "127.0.0.1", 1_000);
  assert.equal(refused.ok, false);
  assert.match(refused.output ?? "", new RegExp(`dial tcp 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
});

test("resolvePort and runHandler errors", async () => {
  const c = probeContainer({ ports: [{ name: "web", containerPort: 8080 }] });
  assert.equal(resolvePort("web", c), 8080);
  assert.equal(resolvePort("9090", c), 9090);
  assert.equal(resolvePort(7, c), 7);
  assert.throws(() => resolvePort("nope", c), /couldn't find port: nope in app/);
  const r = await runHandler({} as ContainerRuntime, { httpGet: { port: "nope" } }, c, "id", "127.0.0.1", 100);
  assert.deepEqual(r, { ok: false, output: "couldn't find port: nope in app" });
  assert.equal((await runHandler({} as ContainerRuntime, {}, c, "id", "", 100)).ok, false);
});
