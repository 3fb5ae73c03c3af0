// Pod status computation of the kubelet, as pure functions: container state/lastState from runtime
// instances and waiting reasons, the phase as upstream's getPhase, the kubelet's conditions with
// lastTransitionTime kept, the assembled status and the "changed?" check that saves writes.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Container, ContainerStatus, Pod, PodSpec } from "kubernetes-types/core/v1.js";
import type { ContainerInfo } from "../../src/agent/kubelet/runtime/types.js";
import { rfc3339 } from "../../src/shared/api/time.js";
import { containerStatus } from "../../src/agent/kubelet/pod-workers/status/container-status.js";
import { podPhase } from "../../src/agent/kubelet/pod-workers/status/phase.js";
import { containersReadyCondition, initializedCondition, mergeConditions, readyCondition } from "../../src/agent/kubelet/pod-workers/status/conditions.js";
import { computePodStatus, podStatusChanged } from "../../src/agent/kubelet/pod-workers/status/pod-status.js";
import type { ContainerObservation } from "../../src/agent/kubelet/pod-workers/status/container-status.js";

const T0 = new Date("2026-01-02T03:04:05.678Z");
const T1 = new Date("2026-01-02T03:05:00.000Z");
const T2 = new Date("2026-01-02T03:06:00.000Z");

function instance(name: string, over: Partial<ContainerInfo>): ContainerInfo {
  const id = (over.id ?? `${name}${over.restartCount ?? 0}`).padEnd(64, "0");
  return {
    podUid: "uid-1", namespace: "default", podName: "web", sandboxId: "sb", containerName: name, restartCount: 0,
    state: "running", id, containerID: `docker://${id}`, image: "busybox", imageID: "docker://sha256:abc", labels: {}, ...over,
  };
}

const app: Container = { name: "app", image: "busybox:1.36" };

function st(name: string, state: ContainerStatus["state"], lastState: ContainerStatus["lastState"] = {}): ContainerStatus {
  return { name, state, lastState, ready: false, restartCount: 0, image: "x", imageID: "" };
}

// ---- container status ----

test("running container: state.running with startedAt, ready and started from the probes", () => {
  const s = containerStatus(app, { latest: instance("app", { startedAt: T0 }), ready: true, started: true });
  assert.deepEqual(s, {
    name: "app", state: { running: { startedAt: "2026-01-02T03:04:05Z" } }, lastState: {}, ready: true, restartCount: 0,
    image: "busybox:1.36", imageID: "docker://sha256:abc", started: true, containerID: `docker://${"app0".padEnd(64, "0")}`,
  });
});

test("crash loop: waiting CrashLoopBackOff, the finished instance becomes lastState, restartCount from it", () => {
  const latest = instance("app", { state: "exited", exitCode: 3, reason: "Error", startedAt: T0, finishedAt: T1, restartCount: 2 });
  const s = containerStatus(app, { latest, ready: false, started: false, waiting: { reason: "CrashLoopBackOff", message: "back-off 20s restarting failed container=app pod=web_default(uid-1)" } });
  assert.deepEqual(s.state, { waiting: { reason: "CrashLoopBackOff", message: "back-off 20s restarting failed container=app pod=web_default(uid-1)" } });
  assert.deepEqual(s.lastState, { terminated: { exitCode: 3, reason: "Error", startedAt: rfc3339(T0), finishedAt: rfc3339(T1), containerID: latest.containerID } });
  assert.equal(s.restartCount, 2);
  assert.equal(s.ready, false);
  assert.equal(s.started, false);
});

test("finished and not restarted: state.terminated with message; previous instance as lastState", () => {
  const previous = instance("app", { id: "p", state: "exited", exitCode: 1, reason: "Error", startedAt: T0, finishedAt: T1 });
  const latest = instance("app", { id: "l", state: "exited", exitCode: 0, reason: "Completed", message: "done\n", startedAt: T1, finishedAt: T2, restartCount: 1 });
  const s = containerStatus(app, { latest, previous, ready: true, started: true });
  assert.equal(s.state?.terminated?.reason, "Completed");
  assert.equal(s.state?.terminated?.message, "done\n");
  assert.equal(s.lastState?.terminated?.exitCode, 1);
  assert.equal(s.ready, false, "a stopped container is never ready");
  assert.equal(s.started, false);
});

test("no instance yet: waiting with the default reason, no containerID", () => {
  const s = containerStatus(app, { ready: false, started: false });
  assert.deepEqual(s.state, { waiting: { reason: "ContainerCreating" } });
  assert.equal(s.containerID, undefined);
  assert.equal(s.imageID, "");
  const pulling = containerStatus(app, { ready: false, started: false, waiting: { reason: "ErrImagePull", message: "no registry" } });
  assert.deepEqual(pulling.state, { waiting: { reason: "ErrImagePull", message: "no registry" } });
});

// ---- phase ----

test("phase: Pending while containers wait, Running once all started and one runs", () => {
  const spec: PodSpec = { containers: [{ name: "a" }, { name: "b" }] };
  assert.equal(podPhase(spec, [], [st("a", { running: {} }), st("b", { waiting: { reason: "ContainerCreating" } })]), "Pending");
  assert.equal(podPhase(spec, [], [st("a", { running: {} })]), "Pending", "a container without status is unknown");
  assert.equal(podPhase(spec, [], [st("a", { running: {} }), st("b", { running: {} })]), "Running");
  assert.equal(podPhase(spec, [], [st("a", { running: {} }), st("b", { waiting: { reason: "CrashLoopBackOff" } }, { terminated: { exitCode: 1 } })]), "Running");
});

test("phase: all stopped, by restartPolicy", () => {
  const ok = [st("a", { terminated: { exitCode: 0 } })];
  const failed = [st("a", { terminated: { exitCode: 2 } })];
  const crashLoop = [st("a", { waiting: { reason: "CrashLoopBackOff" } }, { terminated: { exitCode: 2 } })];
  const spec = (restartPolicy: string): PodSpec => ({ containers: [{ name: "a" }], restartPolicy });
  assert.equal(podPhase(spec("Always"), [], ok), "Running", "Always: restarting");
  assert.equal(podPhase(spec("Always"), [], crashLoop), "Running");
  assert.equal(podPhase(spec("OnFailure"), [], ok), "Succeeded");
  assert.equal(podPhase(spec("OnFailure"), [], failed), "Running", "OnFailure: failure restarts");
  assert.equal(podPhase(spec("Never"), [], ok), "Succeeded");
  assert.equal(podPhase(spec("Never"), [], failed), "Failed");
  assert.equal(podPhase(spec("Always"), [], ok, true), "Succeeded", "terminal pod: policy ignored");
  assert.equal(podPhase(spec("Always"), [], failed, true), "Failed");
});

test("phase: init containers", () => {
  const spec = (restartPolicy = "Always"): PodSpec => ({ initContainers: [{ name: "i1" }, { name: "i2" }], containers: [{ name: "a" }], restartPolicy });
  const waitingApp = [st("a", { waiting: { reason: "PodInitializing" } })];
  assert.equal(podPhase(spec(), [st("i1", { running: {} })], waitingApp), "Pending");
  assert.equal(podPhase(spec(), [st("i1", { terminated: { exitCode: 0 } }), st("i2", { terminated: { exitCode: 0 } })], [st("a", { running: {} })]), "Running");
  const failedInit = [st("i1", { terminated: { exitCode: 1 } })];
  assert.equal(podPhase(spec("Never"), failedInit, waitingApp), "Failed", "Never: a failed init container fails the pod");
  assert.equal(podPhase(spec("Always"), failedInit, waitingApp), "Pending");
  assert.equal(podPhase(spec("OnFailure"), [st("i1", { waiting: { reason: "CrashLoopBackOff" } }, { terminated: { exitCode: 1 } })], waitingApp), "Pending");
});

// ---- conditions ----

test("Initialized names the incomplete init containers", () => {
  const spec: PodSpec = { initContainers: [{ name: "i1" }, { name: "i2" }], containers: [{ name: "a" }] };
  assert.deepEqual(initializedCondition(spec, [st("i1", { terminated: { exitCode: 0 } }), st("i2", { running: {} })], [], "Pending"), {
    type: "Initialized", status: "False", reason: "ContainersNotInitialized", message: "containers with incomplete status: [i2]",
  });
  assert.deepEqual(initializedCondition(spec, [st("i1", { terminated: { exitCode: 0 } }), st("i2", { terminated: { exitCode: 0 } })], [], "Running"), { type: "Initialized", status: "True" });
  assert.deepEqual(initializedCondition({ containers: [{ name: "a" }] }, [], [], "Pending"), { type: "Initialized", status: "True" });
  // Init statuses gone (e.g. removed) but an app container already ran: initialised.
  assert.equal(initializedCondition(spec, [], [st("a", { running: {} })], "Running").status, "True");
});

test("ContainersReady and Ready name unready and unknown containers; readiness gates", () => {
  const spec: PodSpec = { containers: [{ name: "a" }, { name: "b" }, { name: "c" }] };
  const ready = { ...st("a", { running: {} }), ready: true };
  const cr = containersReadyCondition(spec, [ready, st("b", { running: {} })], "Running");
  assert.deepEqual(cr, { type: "ContainersReady", status: "False", reason: "ContainersNotReady", message: "containers with unknown status: [c], containers with unready status: [b]" });
  assert.deepEqual(readyCondition(cr, spec, []), { ...cr, type: "Ready" });
  const allReady = containersReadyCondition({ containers: [{ name: "a" }] }, [ready], "Running");
  assert.deepEqual(allReady, { type: "ContainersReady", status: "True" });
  const gated: PodSpec = { containers: [{ name: "a" }], readinessGates: [{ conditionType: "example.com/lb" }] };
  assert.equal(readyCondition(allReady, gated, []).status, "False");
  assert.equal(readyCondition(allReady, gated, []).reason, "ReadinessGatesNotReady");
  assert.equal(readyCondition(allReady, gated, [{ type: "example.com/lb", status: "True" }]).status, "True");
  assert.equal(containersReadyCondition(spec, [], "Succeeded").reason, "PodCompleted");
});

test("mergeConditions keeps lastTransitionTime while the status holds, keeps foreign conditions, upstream order", () => {
  const existing = [
    { type: "PodScheduled", status: "True", lastTransitionTime: "2026-01-01T00:00:00Z" },
    { type: "Ready", status: "False", lastTransitionTime: "2026-01-01T00:00:01Z", reason: "ContainersNotReady" },
    { type: "example.com/lb", status: "True", lastTransitionTime: "2026-01-01T00:00:02Z" },
  ];
  const merged = mergeConditions(existing, [
    { type: "PodScheduled", status: "True" },
    { type: "Ready", status: "True" },
    { type: "Initialized", status: "True" },
  ], T2);
  assert.deepEqual(merged.map((c) => c.type), ["Initialized", "Ready", "PodScheduled", "example.com/lb"]);
  assert.equal(merged.find((c) => c.type === "PodScheduled")?.lastTransitionTime, "2026-01-01T00:00:00Z", "unchanged: kept");
  assert.equal(merged.find((c) => c.type === "Ready")?.lastTransitionTime, rfc3339(T2), "changed: now");
  assert.equal(merged.find((c) => c.type === "Ready")?.reason, undefined, "the old reason goes with the old status");
  assert.equal(merged.find((c) => c.type === "Ready")?.lastProbeTime, null);
});

// ---- the whole status ----

function pod(spec: PodSpec, status: Pod["status"] = { phase: "Pending", qosClass: "BestEffort" }): Pod {
  return { metadata: { name: "web", namespace: "default", uid: "uid-1" }, spec, status };
}

test("a running two-container pod: Running, all conditions True, IPs, startTime, qosClass kept", () => {
  const p = pod({ containers: [{ name: "a", image: "busybox" }, { name: "b", image: "busybox" }] });
  const obs = new Map<string, ContainerObservation>([
    ["a", { latest: instance("a", { startedAt: T0 }), ready: true, started: true }],
    ["b", { latest: instance("b", { startedAt: T0 }), ready: true, started: true }],
  ]);
  const s = computePodStatus(p, { containers: obs, podIP: "10.42.0.7", sandboxReady: true, hostIP: "192.168.1.10" }, T1);
  assert.equal(s.phase, "Running");
  assert.deepEqual(s.conditions?.map((c) => [c.type, c.status]), [
    ["PodReadyToStartContainers", "True"], ["Initialized", "True"], ["Ready", "True"], ["ContainersReady", "True"], ["PodScheduled", "True"],
  ]);
  assert.equal(s.podIP, "10.42.0.7");
  assert.deepEqual(s.podIPs, [{ ip: "10.42.0.7" }]);
  assert.equal(s.hostIP, "192.168.1.10");
  assert.deepEqual(s.hostIPs, [{ ip: "192.168.1.10" }]);
  assert.equal(s.startTime, rfc3339(T1));
  assert.equal(s.qosClass, "BestEffort");
  assert.equal(s.initContainerStatuses, undefined);
  assert.equal(s.containerStatuses?.length, 2);

  // Written back and computed again with nothing new: no change, so no write.
  const again = computePodStatus({ ...p, status: s }, { containers: obs, podIP: "10.42.0.7", sandboxReady: true, hostIP: "192.168.1.10" }, T2);
  assert.equal(podStatusChanged(s, again), false);
  assert.equal(again.startTime, rfc3339(T1), "startTime is the first one");
  // One container turns unready: Ready and ContainersReady change, with the new time.
  obs.set("b", { ...obs.get("b")!, ready: false });
  const unready = computePodStatus({ ...p, status: s }, { containers: obs, podIP: "10.42.0.7", sandboxReady: true, hostIP: "192.168.1.10" }, T2);
  assert.equal(podStatusChanged(s, unready), true);
  const readyCond = unready.conditions?.find((c) => c.type === "Ready");
  assert.deepEqual([readyCond?.status, readyCond?.message, readyCond?.lastTransitionTime], ["False", "containers with unready status: [b]", rfc3339(T2)]);
  assert.equal(unready.conditions?.find((c) => c.type === "PodScheduled")?.lastTransitionTime, rfc3339(T1));
});

test("init containers running: app containers wait with PodInitializing; a terminal phase is never left", () => {
  const p = pod({ initContainers: [{ name: "init", image: "busybox" }], containers: [{ name: "a", image: "busybox" }] });
  const obs = new Map<string, ContainerObservation>([["init", { latest: instance("init", { startedAt: T0 }), ready: false, started: false }]]);
  const s = computePodStatus(p, { containers: obs, podIP: "10.42.0.7", sandboxReady: true }, T1);
  assert.equal(s.phase, "Pending");
  assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: "PodInitializing" } });
  assert.ok(s.initContainerStatuses?.[0]?.state?.running);
  assert.equal(s.conditions?.find((c) => c.type === "Initialized")?.status, "False");

  const done = pod({ containers: [{ name: "a", image: "busybox" }] }, { phase: "Succeeded" });
  const restarted = computePodStatus(done, { containers: new Map([["a", { latest: instance("a", {}), ready: true, started: true }]]), sandboxReady: true }, T1);
  assert.equal(restarted.phase, "Succeeded");
});

test("host-network pods report the host IP as pod IP; a terminated pod keeps its pod IP", () => {
  const host = pod({ hostNetwork: true, containers: [{ name: "a", image: "busybox" }] });
  const s = computePodStatus(host, { containers: new Map(), podIP: "", sandboxReady: true, hostIP: "192.168.1.10" }, T1);
  assert.equal(s.podIP, "192.168.1.10");
  const gone = pod({ containers: [{ name: "a", image: "busybox" }] }, { phase: "Running", podIP: "10.42.0.9", podIPs: [{ ip: "10.42.0.9" }] });
  const t = computePodStatus(gone, {
    containers: new Map([["a", { latest: instance("a", { state: "exited", exitCode: 143, reason: "Error", finishedAt: T1 }), ready: false, started: false }]]),
    sandboxReady: false, terminal: true,
  }, T1);
  assert.equal(t.phase, "Failed");
  assert.equal(t.podIP, "10.42.0.9");
  assert.equal(t.conditions?.find((c) => c.type === "PodReadyToStartContainers")?.status, "False");
});

test("podStatusChanged ignores key order and absent-vs-null", () => {
  assert.equal(podStatusChanged({ phase: "Running", podIP: "1.2.3.4" }, { podIP: "1.2.3.4", phase: "Running" }), false);
  assert.equal(podStatusChanged({ phase: "Running", conditions: [{ type: "Ready", status: "True" }] }, { phase: "Running", conditions: [{ type: "Ready", status: "True", lastProbeTime: null as unknown as string }] }), false);
  assert.equal(podStatusChanged({ phase: "Running" }, { phase: "Pending" }), true);
  assert.equal(podStatusChanged(undefined, { phase: "Pending" }), true);
});

test("activeDeadlineSeconds: forced Failed with upstream's reason; phase reason and message kept while the phase holds", () => {
  const p = pod({ containers: [{ name: "a", image: "busybox" }] }, { phase: "Running" });
  const obs = new Map<string, ContainerObservation>([["a", { latest: instance("a", { state: "exited", exitCode: 0, reason: "Completed", finishedAt: T1 }), ready: false, started: false }]]);
  const s = computePodStatus(p, { containers: obs, sandboxReady: false, terminal: true, failed: true, reason: "DeadlineExceeded", message: "Pod was active on the node longer than the specified deadline" }, T1);
  assert.deepEqual([s.phase, s.reason, s.message], ["Failed", "DeadlineExceeded", "Pod was active on the node longer than the specified deadline"]);
  const again = computePodStatus({ ...p, status: s }, { containers: obs, sandboxReady: false, terminal: true }, T2);
  assert.deepEqual([again.phase, again.reason], ["Failed", "DeadlineExceeded"]);
});

test("sidecars (restartable init containers): phase, Initialized and ContainersReady", () => {
  const spec: PodSpec = { initContainers: [{ name: "proxy", restartPolicy: "Always" }, { name: "setup" }], containers: [{ name: "app" }], restartPolicy: "Never" };
  const sidecarStarting = { ...st("proxy", { running: {} }), started: false };
  const sidecarUp = { ...st("proxy", { running: {} }), started: true, ready: true };
  const setupDone = st("setup", { terminated: { exitCode: 0 } });
  const appWaiting = [st("app", { waiting: { reason: "PodInitializing" } })];
  assert.equal(podPhase(spec, [sidecarStarting], appWaiting), "Pending", "a sidecar not started yet holds initialisation");
  assert.equal(initializedCondition(spec, [sidecarStarting], [], "Pending").message, "containers with incomplete status: [proxy setup]");
  assert.equal(initializedCondition(spec, [sidecarUp, setupDone], [], "Pending").status, "True");
  const appRunning = [st("app", { running: {} })];
  assert.equal(podPhase(spec, [sidecarUp, setupDone], appRunning), "Running");
  // The app finished (Never): with the sidecar still running the pod is Running; once it is stopped, Succeeded.
  const appDone = [st("app", { terminated: { exitCode: 0 } })];
  assert.equal(podPhase(spec, [sidecarUp, setupDone], appDone), "Running");
  assert.equal(podPhase(spec, [st("proxy", { terminated: { exitCode: 143 } }), setupDone], appDone), "Succeeded", "a stopped sidecar does not decide the phase");
  // Sidecar readiness is part of ContainersReady, named before the app containers.
  const readyApp = [{ ...st("app", { running: {} }), ready: true }];
  assert.deepEqual(containersReadyCondition(spec, readyApp, "Running", [{ ...sidecarUp, ready: false }]), {
    type: "ContainersReady", status: "False", reason: "ContainersNotReady", message: "containers with unready status: [proxy]",
  });
  assert.equal(containersReadyCondition(spec, readyApp, "Running", [sidecarUp]).status, "True");
});
