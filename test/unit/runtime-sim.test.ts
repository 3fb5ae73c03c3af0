// The simulated runtime on its own (addresses from the pod CIDR, container lifecycle, events, images,
// refused streaming, volumes) and under the real kubelet with a fake API: pods reach Running and Ready,
// a container that exits is restarted per restartPolicy, a deleted pod leaves nothing behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import type { Pod, PodStatus } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../../src/shared/api/types.js";
import type { ApiClient, ClientWatchEvent } from "../../src/shared/client/types.js";
import { SIM_GRACEFUL_EXIT_CODE, SIM_KILLED_EXIT_CODE, SIM_RUNTIME_VERSION, SimRuntime } from "../../src/agent/kubelet/runtime/sim.js";
import type { ContainerConfig, PodSandboxConfig, RuntimeEvent } from "../../src/agent/kubelet/runtime/types.js";
import { Kubelet } from "../../src/agent/kubelet/pod-workers/kubelet.js";

const quiet = pino({ level: "silent" });
const NET = { name: "kube-lite-sim", subnet: "10.42.7.0/24" };

function sandboxCfg(uid: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  return { podUid: uid, namespace: "default", name: `pod-${uid}`, podCIDRNetwork: NET, ...extra };
}

function containerCfg(name: string, restartCount = 0): ContainerConfig {
  return { name, image: "registry.local/app:1", restartCount, labels: { hash: "h1" } };
}

function tmpRoot(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-sim-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test("sandboxes get addresses from the pod CIDR (not the network or gateway), released when they stop", async (t) => {
  const rt = new SimRuntime({ nodeName: "sim-0", rootDir: tmpRoot(t) });
  assert.equal(await rt.version(), SIM_RUNTIME_VERSION);
  const a = await rt.runSandbox(sandboxCfg("a"));
  const b = await rt.runSandbox(sandboxCfg("b"));
  assert.equal(a.ip, "10.42.7.2");
  assert.equal(b.ip, "10.42.7.3");
  await rt.stopSandbox(a.sandboxId);
  const listed = await rt.listPodSandboxes();
  assert.deepEqual(listed.map((s) => [s.podUid, s.state, s.ip]).sort(), [["a", "notready", ""], ["b", "ready", "10.42.7.3"]]);
  // Every address of the /24 except .0, .1 and .255 is handed out exactly once; the freed .2 comes back.
  const seen = new Set<string>([b.ip]);
  for (let i = 0; i < 252; i++) seen.add((await rt.runSandbox(sandboxCfg(`p${i}`))).ip);
  assert.equal(seen.size, 253);
  assert.ok(seen.has("10.42.7.2") && seen.has("10.42.7.254") && !seen.has("10.42.7.1") && !seen.has("10.42.7.255"));
  await assert.rejects(rt.runSandbox(sandboxCfg("full")), /no free address left in pod CIDR 10\.42\.7\.0\/24/);
  // Host-network pods have no pod IP; a pod without a network is refused.
  assert.equal((await rt.runSandbox(sandboxCfg("h", { hostNetwork: true, podCIDRNetwork: undefined }))).ip, "");
  await assert.rejects(rt.runSandbox(sandboxCfg("x", { podCIDRNetwork: undefined })), /no pod network/);
  await rt.removeSandbox(a.sandboxId);
  await rt.removeSandbox(a.sandboxId); // idempotent
});

test("containers start at once and run until stopped: exit 0 after SIGTERM, 137 without grace; events as the engine sends them", async (t) => {
  const rt = new SimRuntime({ nodeName: "sim-0", rootDir: tmpRoot(t) });
  const events: RuntimeEvent[] = [];
  const watch = await rt.watchEvents((e) => events.push(e));
  const sb = await rt.runSandbox(sandboxCfg("u1"));
  const id = await rt.createContainer(sb.sandboxId, sandboxCfg("u1"), containerCfg("app"));
  assert.equal((await rt.inspectContainer(id)).state, "created");
  await rt.startContainer(id);
  const running = await rt.inspectContainer(id);
  assert.equal(running.state, "running");
  assert.ok(running.startedAt instanceof Date);
  assert.equal(running.containerID, `sim://${id}`);
  assert.deepEqual(running.labels, { hash: "h1" });
  assert.deepEqual([running.podUid, running.namespace, running.podName, running.sandboxId, running.containerName], ["u1", "default", "pod-u1", sb.sandboxId, "app"]);

  await rt.stopContainer(id, 30);
  const stopped = await rt.inspectContainer(id);
  assert.deepEqual([stopped.state, stopped.exitCode, stopped.reason], ["exited", SIM_GRACEFUL_EXIT_CODE, "Completed"]);
  await rt.stopContainer(id, 0); // stopping a stopped container is no error (CRI)

  const id2 = await rt.createContainer(sb.sandboxId, sandboxCfg("u1"), containerCfg("app", 1));
  await rt.startContainer(id2);
  await rt.stopContainer(id2, 0);
  const killed = await rt.inspectContainer(id2);
  assert.deepEqual([killed.exitCode, killed.reason], [SIM_KILLED_EXIT_CODE, "Error"]);

  const id3 = await rt.createContainer(sb.sandboxId, sandboxCfg("u1"), containerCfg("app", 2));
  await rt.startContainer(id3);
  rt.exitContainer(id3, 3);
  assert.deepEqual([(await rt.inspectContainer(id3)).exitCode, (await rt.inspectContainer(id3)).reason], [3, "Error"]);

  const pods = await rt.listPodContainers();
  assert.equal(pods.length, 1);
  assert.deepEqual(pods[0]!.containers.map((c) => c.restartCount).sort(), [0, 1, 2]);
  assert.equal(pods[0]!.sandboxes[0]!.ip, sb.ip);
  // A listing is a copy: changing it changes nothing in the runtime.
  pods[0]!.containers[0]!.state = "unknown";
  assert.notEqual((await rt.listContainers()).find((c) => c.id === pods[0]!.containers[0]!.id)?.state, "unknown");

  await rt.removeContainer(id);
  await rt.removeContainer(id); // idempotent
  await assert.rejects(rt.inspectContainer(id), (err: Error & { statusCode?: number }) => err.statusCode === 404 && /no such container/.test(err.message));

  // A container whose sandbox is not running cannot start (the engine refuses to join its network).
  const id4 = await rt.createContainer(sb.sandboxId, sandboxCfg("u1"), containerCfg("late"));
  await rt.stopSandbox(sb.sandboxId);
  await assert.rejects(rt.startContainer(id4), /not running/);
  assert.equal((await rt.inspectContainer(id4)).reason, "ContainerCannotRun");

  await tick();
  const byId = (cid: string) => events.filter((e) => e.id === cid).map((e) => e.action + (e.exitCode !== undefined ? `:${e.exitCode}` : ""));
  assert.deepEqual(byId(sb.sandboxId), ["created", "started", `died:${SIM_KILLED_EXIT_CODE}`]);
  assert.deepEqual(byId(id), ["created", "started", "died:0", "destroyed"]);
  assert.deepEqual(byId(id2), ["created", "started", "died:137"]);
  assert.deepEqual(byId(id3), ["created", "started", "died:3"]);
  assert.ok(events.filter((e) => e.kind === "container").every((e) => e.podUid === "u1" && e.containerName !== undefined));
  watch.stop();
  const before = events.length;
  await rt.runSandbox(sandboxCfg("u2"));
  await tick();
  assert.equal(events.length, before, "no events after stop()");
});

test("images are always present with a stable sha256 ID; streaming is refused clearly; logs are empty; stats are small", async (t) => {
  const rt = new SimRuntime({ nodeName: "sim-0", rootDir: tmpRoot(t) });
  const a = await rt.ensureImage("nginx:1.27", "Always");
  assert.match(a.imageRef, /^sha256:[0-9a-f]{64}$/);
  assert.equal(a.pulled, false);
  assert.equal((await rt.ensureImage("nginx:1.27", "IfNotPresent")).imageRef, a.imageRef);
  assert.notEqual((await rt.ensureImage("nginx:1.28", "Never")).imageRef, a.imageRef);

  const sb = await rt.runSandbox(sandboxCfg("u1"));
  const id = await rt.createContainer(sb.sandboxId, sandboxCfg("u1"), { ...containerCfg("app"), image: "nginx:1.27" });
  await rt.startContainer(id);
  assert.equal((await rt.inspectContainer(id)).imageID, a.imageRef);

  for (const p of [rt.exec(id, { command: ["sh"] }), rt.attach(id, {}), rt.portForward(sb.sandboxId, 80), rt.importImageTarball("/tmp/x.tar")]) {
    await assert.rejects(p, /not supported by the simulated runtime/);
  }
  const logs = await rt.logs(id, { follow: true });
  const chunks: Buffer[] = [];
  for await (const c of logs.output) chunks.push(c as Buffer);
  assert.equal(chunks.length, 0);
  await assert.rejects(rt.logs("nope", {}), /no such container/);

  const s1 = await rt.containerStats(id);
  await new Promise((r) => setTimeout(r, 20));
  const s2 = await rt.containerStats(id);
  assert.ok(s2.cpuUsageCoreNanoSeconds > s1.cpuUsageCoreNanoSeconds, "cumulative CPU grows while running");
  assert.ok(s2.memoryWorkingSetBytes > 0 && s2.memoryWorkingSetBytes <= 16 * 1024 * 1024);
  await rt.stopContainer(id, 0);
  assert.equal((await rt.containerStats(id)).memoryUsageBytes, 0);
});

test("volumes are paths only (nothing created); cleanupPod removes what the kubelet wrote for the pod", async (t) => {
  const root = tmpRoot(t);
  const rt = new SimRuntime({ nodeName: "sim-0", rootDir: root });
  const src = await rt.emptyDir("u1", "cache", { medium: "Memory" });
  assert.deepEqual(src, { type: "bind", path: path.join(root, "pods", "u1", "volumes", "kubernetes.io~empty-dir", "cache") });
  assert.equal(existsSync(path.join(root, "pods", "u1")), false);
  assert.deepEqual(await rt.hostPath("/definitely/not/here", "Directory"), { type: "bind", path: "/definitely/not/here" });
  const cm = path.join(root, "pods", "u1", "volumes", "kubernetes.io~configmap", "cfg");
  mkdirSync(cm, { recursive: true });
  writeFileSync(path.join(cm, "key"), "value");
  await rt.cleanupPod("u1");
  assert.equal(existsSync(path.join(root, "pods", "u1")), false);
});

/** An API with one pod bound to the node: records status writes and lets the test send watch events. */
function fakeApi(pod: Pod) {
  const statuses: PodStatus[] = [];
  let podEvents: ((ev: ClientWatchEvent) => void) | undefined;
  let current = pod as unknown as KubeObject;
  let rv = 1;
  const client = {
    async get(ref: { plural: string }) {
      if (ref.plural === "pods") return current;
      return { metadata: { name: "sim-0" }, status: { addresses: [{ type: "InternalIP", address: "192.168.1.5" }] } };
    },
    async list(ref: { plural: string }) {
      return { apiVersion: "v1", kind: "List", metadata: { resourceVersion: "1" }, items: ref.plural === "pods" ? [current] : [] };
    },
    async watch(ref: { plural: string }, _ns: string, _opts: unknown, onEvent: (ev: ClientWatchEvent) => void) {
      if (ref.plural === "pods") podEvents = onEvent;
      return { close() {} };
    },
    async create(_ref: unknown, _ns: string, obj: KubeObject) {
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++rv) } };
    },
    async update(ref: { plural: string }, _ns: string, obj: KubeObject, sub?: string) {
      const written = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++rv) } };
      if (ref.plural === "pods" && sub === "status") {
        statuses.push((obj as unknown as Pod).status!);
        current = written;
      }
      return written;
    },
    async delete() {
      return {};
    },
  } as unknown as ApiClient;
  return { client, statuses, send: (type: ClientWatchEvent["type"]) => podEvents!({ type, object: current }), latest: () => statuses[statuses.length - 1] };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function simPod(uid: string, restartPolicy: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `web-${uid}`, namespace: "default", uid, resourceVersion: "1" },
    spec: { nodeName: "sim-0", restartPolicy, containers: [{ name: "app", image: "registry.local/app:1", imagePullPolicy: "IfNotPresent" }] },
    status: { phase: "Pending", qosClass: "BestEffort" },
  } as Pod;
}

test("the real kubelet on the simulated runtime: Running and Ready, restarts per restartPolicy, deletion removes everything", async (t) => {
  const root = tmpRoot(t);
  const rt = new SimRuntime({ nodeName: "sim-0", rootDir: root });
  const api = fakeApi(simPod("uid-always", "Always"));
  const kubelet = new Kubelet({ nodeName: "sim-0", client: api.client, runtime: rt, dataDir: root, network: NET, clusterDNS: "10.43.0.10", logger: quiet });
  t.after(() => kubelet.stop());
  await kubelet.start();

  await until("Running and Ready", () => api.latest()?.phase === "Running" && !!api.latest()?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  const running = api.latest()!;
  assert.equal(running.podIP, "10.42.7.2");
  assert.deepEqual(running.podIPs, [{ ip: "10.42.7.2" }]);
  assert.equal(running.hostIP, "192.168.1.5");
  const cs = running.containerStatuses![0]!;
  assert.ok(cs.state?.running && cs.ready && cs.started);
  assert.match(cs.containerID!, /^sim:\/\/[0-9a-f]{64}$/);
  assert.match(cs.imageID!, /^sha256:/);

  // The container "crashes": the kubelet restarts it (the first restart has no back-off).
  rt.exitContainer(cs.containerID!.replace("sim://", ""), 2);
  await until("restarted", () => (api.latest()?.containerStatuses?.[0]?.restartCount ?? 0) === 1 && !!api.latest()?.containerStatuses?.[0]?.state?.running);
  const after = api.latest()!.containerStatuses![0]!;
  assert.equal(after.lastState?.terminated?.exitCode, 2);
  assert.equal(after.lastState?.terminated?.reason, "Error");
  assert.equal(rt.counts().running, 1);

  // The pod is deleted from the API: containers, sandbox and its address go.
  api.send("DELETED");
  await until("pod torn down", () => rt.counts().containers === 0 && rt.counts().sandboxes === 0);
});

test("restartPolicy Never: a container that exits 0 is not restarted and the pod Succeeds", async (t) => {
  const root = tmpRoot(t);
  const rt = new SimRuntime({ nodeName: "sim-0", rootDir: root });
  const api = fakeApi(simPod("uid-never", "Never"));
  const kubelet = new Kubelet({ nodeName: "sim-0", client: api.client, runtime: rt, dataDir: root, network: NET, logger: quiet });
  t.after(() => kubelet.stop());
  await kubelet.start();
  await until("Running", () => api.latest()?.phase === "Running");
  const id = api.latest()!.containerStatuses![0]!.containerID!.replace("sim://", "");
  rt.exitContainer(id, 0);
  await until("Succeeded", () => api.latest()?.phase === "Succeeded");
  const cs = api.latest()!.containerStatuses![0]!;
  assert.equal(cs.restartCount, 0);
  assert.equal(cs.state?.terminated?.reason, "Completed");
  assert.equal(rt.counts().running, 0);
});
