/**
 * `kubectl logs` with the real kubectl 1.32 against a server with its embedded agent on a real Docker
 * engine, through the tunnel: follow, tail, since-time, limit-bytes, timestamps, previous, a label
 * selector across a Deployment's pods with prefixes, all containers, and upstream's errors.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { clusterCidr, kubectlBinary, startServer, type TestServer } from "./harness.js";
import { dockerSkip, removeNodeFromDocker, TEST_IMAGE } from "./docker-node.js";

const IMAGE = TEST_IMAGE;
const skip = dockerSkip;

const NODE = `logs-${process.pid}`;

let server: TestServer;

function diagnostics(): string {
  return `\n--- server:\n${server.logs().slice(-3000)}`;
}

function ok(args: string[]): string {
  const r = server.kubectl(args, { timeoutMs: 30_000 });
  assert.equal(r.status, 0, `kubectl ${args.join(" ")}: ${r.stderr}${diagnostics()}`);
  return r.stdout;
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const container = (name: string, script: string) => ({ name, image: IMAGE, imagePullPolicy: "Never", command: ["sh", "-c", script] });

before(async () => {
  if (skip) return;
  server = await startServer({ embeddedAgentNode: NODE, args: ["--cluster-cidr", clusterCidr()] });
  const manifests = [
    // Counts up every 200 ms, one line each.
    { apiVersion: "v1", kind: "Pod", metadata: { name: "ticker" }, spec: { terminationGracePeriodSeconds: 1, containers: [container("main", "i=0; while true; do i=$((i+1)); echo line $i; sleep 0.2; done")] } },
    // Each run prints its own marker, then crashes; restartPolicy Always restarts it.
    { apiVersion: "v1", kind: "Pod", metadata: { name: "crasher" }, spec: { terminationGracePeriodSeconds: 1, containers: [container("main", "echo run-$(cat /proc/sys/kernel/random/uuid); sleep 1; exit 1")] } },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "pair" },
      spec: { terminationGracePeriodSeconds: 1, containers: [container("first", "echo from-first; sleep 3600"), container("second", "echo from-second; sleep 3600")] },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { terminationGracePeriodSeconds: 1, containers: [container("app", "echo hello from $HOSTNAME; sleep 3600")] } },
      },
    },
  ];
  const r = server.kubectl(["apply", "-f", "-"], { input: manifests.map((m) => JSON.stringify(m)).join("\n") });
  assert.equal(r.status, 0, r.stderr);
  await waitFor("the pods to run", () => {
    const phases = server.kubectl(["get", "pods", "-o", "jsonpath={range .items[*]}{.status.phase}{\"\\n\"}{end}"]).stdout.trim().split("\n");
    return phases.length === 5 && phases.every((p) => p === "Running");
  }, 90_000);
});

after(async () => {
  if (skip) return;
  await server.stop();
  server.cleanup();
  removeNodeFromDocker(NODE);
});

test("logs -f streams new lines as the container writes them", { skip }, async () => {
  const child = spawn(kubectlBinary(), ["logs", "-f", "ticker", "--tail=1"], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", KUBECONFIG: server.kubeconfig, HOME: path.dirname(server.kubeconfig) } });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  try {
    // --tail=1 gives one old line at once; the rest arrive only because the stream stays open.
    await waitFor(`four lines from logs -f (so far ${JSON.stringify(out)}, stderr ${err})`, () => out.split("\n").filter(Boolean).length >= 4, 20_000);
    const numbers = out.trim().split("\n").map((l) => Number(/^line (\d+)$/.exec(l)?.[1]));
    assert.ok(numbers.every((n, i) => Number.isInteger(n) && (i === 0 || n === numbers[i - 1]! + 1)), `consecutive lines: ${out}`);
    assert.equal(child.exitCode, null, "kubectl is still following");
  } finally {
    child.kill("SIGTERM");
  }
});

test("--tail, --limit-bytes, --timestamps and --since-time select what upstream selects", { skip }, async () => {
  // Enough history (3 s of lines) for a time cut to leave some out.
  await waitFor("15 lines of ticker output", () => server.kubectl(["logs", "ticker"]).stdout.split("\n").filter(Boolean).length >= 15, 20_000);
  const tail = ok(["logs", "ticker", "--tail=3"]).split("\n").filter(Boolean);
  assert.equal(tail.length, 3);
  assert.match(tail[2]!, /^line \d+$/);
  assert.equal(ok(["logs", "ticker", "--limit-bytes=6"]), "line 1");
  const stamped = ok(["logs", "ticker", "--timestamps", "--tail=2"]).trim().split("\n");
  assert.equal(stamped.length, 2);
  for (const l of stamped) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z line \d+$/);
  // Only lines written at or after the given time; stamps prove it. kubectl sends the time in whole
  // seconds (RFC 3339), so cut at a whole second.
  const since = new Date(Math.floor((Date.now() - 1000) / 1000) * 1000).toISOString();
  const recent = ok(["logs", "ticker", "--timestamps", `--since-time=${since}`]).trim().split("\n");
  const all = ok(["logs", "ticker"]).trim().split("\n");
  assert.ok(recent.length >= 1 && recent.length < all.length, `since-time gave ${recent.length} of ${all.length} lines`);
  for (const l of recent) assert.ok(Date.parse(l.split(" ")[0]!) >= Date.parse(since), `${l} is before ${since}`);
  const sinceSeconds = ok(["logs", "ticker", "--since=1s"]).trim().split("\n");
  assert.ok(sinceSeconds.length < all.length, `--since=1s gave ${sinceSeconds.length} of ${all.length} lines`);
});

test("--previous shows the crashed run's output, without it the current run's", { skip }, async () => {
  await waitFor("a restart of the crasher", () => Number(server.kubectl(["get", "pod", "crasher", "-o", "jsonpath={.status.containerStatuses[0].restartCount}"]).stdout) >= 1, 60_000);
  let previous = "";
  let current = "";
  // The container may be between runs (waiting in back-off): its last run is then both "current" and kept.
  await waitFor("both runs' logs", () => {
    const p = server.kubectl(["logs", "crasher", "--previous"]);
    const c = server.kubectl(["logs", "crasher"]);
    previous = p.stdout.trim();
    current = c.stdout.trim();
    return p.status === 0 && c.status === 0 && /^run-[0-9a-f-]{36}$/.test(previous) && /^run-[0-9a-f-]{36}$/.test(current) && previous !== current;
  }, 30_000);
  assert.notEqual(previous, current);
  const none = server.kubectl(["logs", "ticker", "--previous"]);
  assert.notEqual(none.status, 0, "a container that never restarted has no previous logs");
  assert.match(none.stderr, /previous terminated container "main" in pod "ticker" not found/);
});

test("a label selector and a Deployment reach every pod; containers are picked as upstream does", { skip }, () => {
  const prefixed = ok(["logs", "-l", "app=web", "--prefix"]).trim().split("\n").sort();
  assert.equal(prefixed.length, 2, prefixed.join("\n"));
  for (const l of prefixed) assert.match(l, /^\[pod\/(web-[a-z0-9]+-[a-z0-9]+)\/app\] hello from \1$/);
  assert.match(ok(["logs", "deploy/web"]), /^hello from web-/);
  // Two containers and no default-container annotation: kubectl picks the first and says so.
  const r = server.kubectl(["logs", "pair"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "from-first");
  assert.match(r.stderr, /Defaulted container "first" out of: first, second/);
  assert.equal(ok(["logs", "pair", "-c", "second"]).trim(), "from-second");
  assert.deepEqual(ok(["logs", "pair", "--all-containers"]).trim().split("\n").sort(), ["from-first", "from-second"]);
  const wrong = server.kubectl(["logs", "pair", "-c", "third"]);
  assert.notEqual(wrong.status, 0);
  assert.match(wrong.stderr, /container third is not valid for pod pair/);
});
