// Each default score on realistic nodes, and the framework's weighted choice: least allocated, balanced
// allocation, preferred node affinity, PreferNoSchedule taints, preferred pod affinity, default spreading.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Node, Pod, Taint } from "kubernetes-types/core/v1.js";
import { SchedulerCache } from "../../src/server/scheduler/cache.js";
import { buildPodInfo } from "../../src/server/scheduler/pod-info.js";
import { leastAllocated, leastAllocatedScore } from "../../src/server/scheduler/scores/least-allocated.js";
import { balancedAllocationScore } from "../../src/server/scheduler/scores/balanced-allocation.js";
import { nodeAffinityScore } from "../../src/server/scheduler/scores/node-affinity.js";
import { taintTolerationScore } from "../../src/server/scheduler/scores/taint-toleration.js";
import { interPodAffinityScore } from "../../src/server/scheduler/scores/inter-pod-affinity.js";
import { podTopologySpreadScore } from "../../src/server/scheduler/scores/pod-topology-spread.js";
import { defaultNormalizeScore } from "../../src/server/scheduler/scores/normalize.js";
import { Framework } from "../../src/server/scheduler/framework.js";
import type { CycleState, Plugin } from "../../src/server/scheduler/types.js";

function mkNode(name: string, o: { cpu?: string; memory?: string; labels?: Record<string, string>; taints?: Taint[] } = {}): Node {
  const alloc = { cpu: o.cpu ?? "4", memory: o.memory ?? "8Gi", pods: "110" };
  return { metadata: { name, labels: { "kubernetes.io/hostname": name, ...(o.labels ?? {}) } }, spec: { taints: o.taints }, status: { allocatable: alloc, capacity: alloc } };
}

function mkPod(name: string, o: { cpu?: string; memory?: string; labels?: Record<string, string>; spec?: Partial<Pod["spec"]>; owner?: string } = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    metadata: { name, namespace: "default", labels: o.labels, ownerReferences: o.owner ? [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: o.owner, controller: true }] : undefined },
    spec: { containers: [{ name: "app", image: "nginx", resources: { requests } }], ...(o.spec ?? {}) },
  };
}

/** Runs one score plugin over every node of the cache, normalised, as the framework does. */
function scores(plugin: Plugin, pod: Pod, cache: SchedulerCache): Record<string, number> {
  const state: CycleState = new Map();
  const info = buildPodInfo(pod);
  const nodes = cache.nodes;
  plugin.preScore?.(state, info, nodes, cache);
  const s = nodes.map((n) => plugin.score!(state, info, n));
  plugin.normalize?.(state, s, nodes);
  return Object.fromEntries(nodes.map((n, i) => [n.name, s[i]!]));
}

function cacheWith(nodes: Node[], bound: [Pod, string][] = []): SchedulerCache {
  const c = new SchedulerCache();
  for (const n of nodes) c.setNode(n);
  for (const [p, n] of bound) c.addPod(buildPodInfo(p), n);
  return c;
}

test("default normalisation scales to 100 and can reverse", () => {
  const s = [0, 2, 4];
  defaultNormalizeScore(s, false);
  assert.deepEqual(s, [0, 50, 100]);
  const r = [0, 1, 4];
  defaultNormalizeScore(r, true);
  assert.deepEqual(r, [100, 75, 0]);
  const z = [0, 0];
  defaultNormalizeScore(z, true);
  assert.deepEqual(z, [100, 100]);
});

test("LeastAllocated: the emptier node scores higher; unset requests count as 100m / 200Mi", () => {
  const cache = cacheWith([mkNode("busy", { cpu: "4", memory: "8Gi" }), mkNode("idle", { cpu: "4", memory: "8Gi" })], [[mkPod("db", { cpu: "3", memory: "6Gi" }), "busy"]]);
  const pod = buildPodInfo(mkPod("web", { cpu: "1", memory: "2Gi" }));
  // busy: cpu (4000-4000)/4000 = 0, memory 0 → 0; idle: cpu 75, memory 75 → 75.
  assert.equal(leastAllocatedScore(pod, cache.node("busy")!), 0);
  assert.equal(leastAllocatedScore(pod, cache.node("idle")!), 75);
  const none = buildPodInfo(mkPod("none"));
  assert.equal(none.nonZeroMilliCPU, 100);
  assert.equal(none.nonZeroMemory, 200 * 1024 * 1024);
  // idle: cpu (4000-100)*100/4000 = 97, memory (8Gi-200Mi)*100/8Gi = 97 → 97.
  assert.equal(leastAllocatedScore(none, cache.node("idle")!), 97);
  assert.deepEqual(scores(leastAllocated, mkPod("web", { cpu: "1", memory: "2Gi" }), cache), { busy: 0, idle: 75 });
});

test("BalancedAllocation: equal cpu and memory use scores 100, lopsided use less", () => {
  const cache = cacheWith([mkNode("n1", { cpu: "4", memory: "8Gi" })]);
  assert.equal(balancedAllocationScore(buildPodInfo(mkPod("even", { cpu: "2", memory: "4Gi" })), cache.node("n1")!), 100);
  // cpu 3/4 = 0.75, memory 1/8 = 0.125: std = 0.3125 → 68.
  assert.equal(balancedAllocationScore(buildPodInfo(mkPod("lopsided", { cpu: "3", memory: "1Gi" })), cache.node("n1")!), 68);
});

test("NodeAffinity preferred terms: weights summed and scaled", () => {
  const cache = cacheWith([mkNode("ssd-a", { labels: { disk: "ssd", zone: "a" } }), mkNode("ssd-b", { labels: { disk: "ssd", zone: "b" } }), mkNode("hdd-a", { labels: { disk: "hdd", zone: "a" } })]);
  const pod = mkPod("web", {
    spec: {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 80, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] } },
            { weight: 20, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] } },
          ],
        },
      },
    },
  });
  assert.deepEqual(scores(nodeAffinityScore, pod, cache), { "ssd-a": 100, "ssd-b": 80, "hdd-a": 20 });
});

test("TaintToleration score: fewer untolerated PreferNoSchedule taints is better", () => {
  const soft = (key: string): Taint => ({ key, value: "true", effect: "PreferNoSchedule" });
  const cache = cacheWith([mkNode("clean"), mkNode("spot", { taints: [soft("spot")] }), mkNode("spot-old", { taints: [soft("spot"), soft("old")] })]);
  assert.deepEqual(scores(taintTolerationScore, mkPod("web"), cache), { clean: 100, spot: 50, "spot-old": 0 });
  const tolerant = mkPod("batch", { spec: { tolerations: [{ key: "spot", operator: "Exists", effect: "PreferNoSchedule" }] } });
  assert.deepEqual(scores(taintTolerationScore, tolerant, cache), { clean: 100, spot: 100, "spot-old": 0 });
});

test("InterPodAffinity preferred terms: toward matching pods' domains, away for anti-affinity", () => {
  const zone = (z: string) => ({ zone: z });
  const cache = cacheWith(
    [mkNode("a-1", { labels: zone("a") }), mkNode("b-1", { labels: zone("b") }), mkNode("c-1", { labels: zone("c") })],
    [[mkPod("cache-0", { labels: { app: "cache" } }), "a-1"], [mkPod("batch-0", { labels: { app: "batch" } }), "b-1"]],
  );
  const pod = mkPod("web", {
    spec: {
      affinity: {
        podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { labelSelector: { matchLabels: { app: "cache" } }, topologyKey: "zone" } }] },
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { labelSelector: { matchLabels: { app: "batch" } }, topologyKey: "zone" } }] },
      },
    },
  });
  // Raw: a +50, b −50, c 0 → scaled between min and max.
  assert.deepEqual(scores(interPodAffinityScore, pod, cache), { "a-1": 100, "b-1": 0, "c-1": 50 });
  // No preferences anywhere: every node scores 0.
  assert.deepEqual(scores(interPodAffinityScore, mkPod("plain"), cache), { "a-1": 0, "b-1": 0, "c-1": 0 });
});

test("PodTopologySpread default spreading: nodes with fewer replicas of the owner score higher", () => {
  const owner = "11111111-2222-4333-8444-555555555555";
  const cache = cacheWith(
    [mkNode("n1"), mkNode("n2"), mkNode("n3")],
    [[mkPod("web-0", { owner }), "n1"], [mkPod("web-1", { owner }), "n1"], [mkPod("web-2", { owner }), "n2"], [mkPod("other", { owner: "99999999-2222-4333-8444-555555555555" }), "n3"]],
  );
  const s = scores(podTopologySpreadScore, mkPod("web-3", { owner }), cache);
  assert.ok(s.n3! > s.n2! && s.n2! > s.n1!, JSON.stringify(s));
  assert.equal(s.n3, 100);
  // A pod without an owner is not spread by default.
  const bare = scores(podTopologySpreadScore, mkPod("bare"), cache);
  assert.deepEqual(bare, { n1: 0, n2: 0, n3: 0 });
});

test("framework picks the best weighted node and spreads replicas over equal nodes", () => {
  const owner = "11111111-2222-4333-8444-555555555555";
  const cache = cacheWith([mkNode("n1"), mkNode("n2"), mkNode("n3"), mkNode("tainted", { taints: [{ key: "x", effect: "NoSchedule" }] })]);
  const fw = new Framework();
  const placed = new Map<string, number>();
  for (let i = 0; i < 12; i++) {
    const info = buildPodInfo(mkPod(`web-${i}`, { owner, cpu: "100m", memory: "128Mi" }));
    const r = fw.schedule(info, cache);
    assert.ok("node" in r);
    cache.addPod(info, r.node, true);
    placed.set(r.node, (placed.get(r.node) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries([...placed].sort()), { n1: 4, n2: 4, n3: 4 });
});
