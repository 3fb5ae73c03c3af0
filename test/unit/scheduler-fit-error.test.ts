// The FailedScheduling message in upstream's format, including the preemption dry run's verdicts.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Node, Pod, Taint } from "kubernetes-types/core/v1.js";
import { SchedulerCache } from "../../src/server/scheduler/cache.js";
import { buildPodInfo } from "../../src/server/scheduler/pod-info.js";
import { DEFAULT_FILTERS, Framework, numFeasibleNodesToFind } from "../../src/server/scheduler/framework.js";
import { failedSchedulingMessage } from "../../src/server/scheduler/fit-error.js";

function mkNode(name: string, o: { cpu?: string; taints?: Taint[]; labels?: Record<string, string> } = {}): Node {
  const alloc = { cpu: o.cpu ?? "2", memory: "4Gi", pods: "110" };
  return { metadata: { name, labels: { "kubernetes.io/hostname": name, ...(o.labels ?? {}) } }, spec: { taints: o.taints }, status: { allocatable: alloc } };
}

function mkPod(name: string, cpu?: string, spec: Partial<Pod["spec"]> = {}): Pod {
  return { metadata: { name, namespace: "default" }, spec: { containers: [{ name: "c", image: "x", resources: { requests: cpu ? { cpu } : {} } }], ...spec } };
}

function message(cache: SchedulerCache, pod: Pod): string {
  const info = buildPodInfo(pod);
  const r = new Framework().schedule(info, cache);
  assert.ok("diagnosis" in r, "expected no fit");
  return failedSchedulingMessage(info, r.diagnosis, cache, DEFAULT_FILTERS, r.state);
}

const CP_TAINT: Taint = { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" };

test("reasons counted per node and sorted; preemption verdicts per node", () => {
  const cache = new SchedulerCache();
  cache.setNode(mkNode("cp-1", { taints: [CP_TAINT] }));
  cache.setNode(mkNode("cp-2", { taints: [CP_TAINT] }));
  cache.setNode(mkNode("worker", { cpu: "2" }));
  assert.equal(
    message(cache, mkPod("big", "3")),
    "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
  );
});

test("no nodes at all", () => {
  assert.equal(message(new SchedulerCache(), mkPod("p")), "no nodes available to schedule pods");
});

test("preemptionPolicy Never and a lower-priority pod that would not make room", () => {
  const cache = new SchedulerCache();
  cache.setNode(mkNode("n1", { cpu: "2" }));
  cache.addPod(buildPodInfo(mkPod("low", "1", { priority: -10 })), "n1");
  cache.addPod(buildPodInfo(mkPod("same", "1", { priority: 0 })), "n1");
  assert.equal(message(cache, mkPod("never", "1500m", { preemptionPolicy: "Never" })), "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
  // Evicting the lower-priority pod frees 1 cpu, not enough for 1.5: the dry run reports why.
  assert.equal(message(cache, mkPod("needy", "1500m")), "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.");
  // When evicting would make room, upstream would preempt; kube-lite reports only the filter part.
  assert.equal(message(cache, mkPod("fits-after", "1")), "0/1 nodes are available: 1 Insufficient cpu.");
});

test("feasible nodes to find: all below 100 nodes, an adaptive share above", () => {
  assert.equal(numFeasibleNodesToFind(50), 50);
  assert.equal(numFeasibleNodesToFind(100), 100);
  assert.equal(numFeasibleNodesToFind(1000), 420);
  assert.equal(numFeasibleNodesToFind(5000), 500);
});
