// Each default filter on realistic Node and Pod objects: what passes, what is rejected, with which code
// and upstream reason text.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Node, Pod, Taint } from "kubernetes-types/core/v1.js";
import { SchedulerCache } from "../../src/server/scheduler/cache.js";
import { buildPodInfo } from "../../src/server/scheduler/pod-info.js";
import { nodeName } from "../../src/server/scheduler/filters/node-name.js";
import { nodeAffinityFilter } from "../../src/server/scheduler/filters/node-affinity.js";
import { nodeResourcesFit } from "../../src/server/scheduler/filters/node-resources-fit.js";
import { nodePorts } from "../../src/server/scheduler/filters/node-ports.js";
import { taintTolerationFilter } from "../../src/server/scheduler/filters/taint-toleration.js";
import { nodeUnschedulable } from "../../src/server/scheduler/filters/node-unschedulable.js";
import { interPodAffinityFilter } from "../../src/server/scheduler/filters/inter-pod-affinity.js";
import { podTopologySpreadFilter } from "../../src/server/scheduler/filters/pod-topology-spread.js";
import { podRequests } from "../../src/server/scheduler/resources.js";
import type { CycleState, Plugin } from "../../src/server/scheduler/types.js";

function mkNode(name: string, o: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean; extra?: Record<string, string> } = {}): Node {
  const alloc = { cpu: o.cpu ?? "4", memory: o.memory ?? "8Gi", pods: o.pods ?? "110", "ephemeral-storage": "20Gi", ...(o.extra ?? {}) };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { capacity: alloc, allocatable: alloc },
  };
}

function mkPod(name: string, o: { ns?: string; cpu?: string; memory?: string; labels?: Record<string, string>; spec?: Partial<Pod["spec"]> } = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: o.ns ?? "default", labels: o.labels },
    spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests } }], ...(o.spec ?? {}) },
  };
}

function run(plugin: Plugin, pod: Pod, cache: SchedulerCache, nodeName: string) {
  const state: CycleState = new Map();
  const info = buildPodInfo(pod);
  const pre = plugin.preFilter?.(state, info, cache);
  if (pre) return pre;
  return plugin.filter!(state, info, cache.node(nodeName)!);
}

function cacheWith(nodes: Node[], bound: [Pod, string][] = []): SchedulerCache {
  const c = new SchedulerCache();
  for (const n of nodes) c.setNode(n);
  for (const [p, n] of bound) c.addPod(buildPodInfo(p), n);
  return c;
}

test("pod requests: containers summed, init containers' peak, sidecars alongside, overhead added", () => {
  const r = podRequests({
    initContainers: [
      { name: "migrate", image: "x", resources: { requests: { cpu: "2", memory: "3G" } } },
      { name: "proxy", image: "x", restartPolicy: "Always", resources: { requests: { cpu: "250m", memory: "64Mi" } } },
      { name: "warm", image: "x", resources: { requests: { cpu: "1500m" } } },
    ],
    containers: [
      { name: "a", image: "x", resources: { requests: { cpu: "500m", memory: "1G" } } },
      { name: "b", image: "x", resources: { limits: { cpu: "500m", memory: "1G" } } },
    ],
    overhead: { cpu: "100m" },
  });
  // cpu: max(1000 + 250 sidecar, 2000 migrate, 250 + 1500 warm) + 100 overhead.
  assert.equal(r.milliCPU, 2100);
  // memory: max(2G + 64Mi, 3G) → 3G.
  assert.equal(r.memory, 3e9);
});

test("NodeResourcesFit: requests vs allocatable minus bound pods, pod count, extended resources", () => {
  const cache = cacheWith(
    [mkNode("pi-1", { cpu: "2", memory: "4Gi", pods: "2" }), mkNode("gpu-1", { extra: { "nvidia.com/gpu": "1" } })],
    [[mkPod("db", { cpu: "1500m", memory: "3Gi" }), "pi-1"]],
  );
  assert.equal(run(nodeResourcesFit, mkPod("fits", { cpu: "500m", memory: "1Gi" }), cache, "pi-1"), undefined);
  const tooBig = run(nodeResourcesFit, mkPod("big", { cpu: "600m", memory: "2Gi" }), cache, "pi-1");
  assert.deepEqual(tooBig, { plugin: "NodeResourcesFit", code: "Unschedulable", reasons: ["Insufficient cpu", "Insufficient memory"] });
  // A pod with no requests still needs a pod slot.
  cache.addPod(buildPodInfo(mkPod("sidecar")), "pi-1");
  assert.deepEqual(run(nodeResourcesFit, mkPod("tiny"), cache, "pi-1")?.reasons, ["Too many pods"]);
  const gpuPod = mkPod("train", { spec: { containers: [{ name: "t", image: "x", resources: { limits: { "nvidia.com/gpu": "1" } } }] } });
  assert.equal(run(nodeResourcesFit, gpuPod, cache, "gpu-1"), undefined);
  cache.addPod(buildPodInfo({ ...gpuPod, metadata: { name: "train-0", namespace: "default" } }), "gpu-1");
  assert.deepEqual(run(nodeResourcesFit, gpuPod, cache, "gpu-1")?.reasons, ["Insufficient nvidia.com/gpu"]);
  // Removing the bound pod gives the resources back.
  cache.removePod("default/db");
  assert.equal(run(nodeResourcesFit, mkPod("big", { cpu: "600m", memory: "2Gi" }), cache, "pi-1"), undefined);
});

test("NodeName: only the named node", () => {
  const cache = cacheWith([mkNode("pi-1"), mkNode("pi-2")]);
  const p = mkPod("pinned", { spec: { nodeName: "pi-2" } });
  assert.deepEqual(run(nodeName, p, cache, "pi-1"), { plugin: "NodeName", code: "UnschedulableAndUnresolvable", reasons: ["node(s) didn't match the requested node name"] });
  assert.equal(run(nodeName, p, cache, "pi-2"), undefined);
});

test("NodeAffinity: nodeSelector and required node affinity (matchExpressions, matchFields, Gt)", () => {
  const cache = cacheWith([
    mkNode("ssd-1", { labels: { disktype: "ssd", "topology.kubernetes.io/zone": "a", cores: "8" } }),
    mkNode("hdd-1", { labels: { disktype: "hdd", "topology.kubernetes.io/zone": "b", cores: "2" } }),
  ]);
  const selector = mkPod("sel", { spec: { nodeSelector: { disktype: "ssd" } } });
  assert.equal(run(nodeAffinityFilter, selector, cache, "ssd-1"), undefined);
  assert.deepEqual(run(nodeAffinityFilter, selector, cache, "hdd-1")?.reasons, ["node(s) didn't match Pod's node affinity/selector"]);
  const affinity = mkPod("aff", {
    spec: {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["a"] }, { key: "cores", operator: "Gt", values: ["4"] }] },
              { matchFields: [{ key: "metadata.name", operator: "In", values: ["hdd-1"] }] },
            ],
          },
        },
      },
    },
  });
  assert.equal(run(nodeAffinityFilter, affinity, cache, "ssd-1"), undefined, "first term matches");
  assert.equal(run(nodeAffinityFilter, affinity, cache, "hdd-1"), undefined, "second term (matchFields) matches");
  const notIn = mkPod("notin", { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "disktype", operator: "NotIn", values: ["hdd"] }, { key: "gpu", operator: "DoesNotExist" }] }] } } } } });
  assert.equal(run(nodeAffinityFilter, notIn, cache, "ssd-1"), undefined);
  assert.equal(run(nodeAffinityFilter, notIn, cache, "hdd-1")?.code, "UnschedulableAndUnresolvable");
});

test("TaintToleration: NoSchedule and NoExecute need a toleration; PreferNoSchedule does not filter", () => {
  const cache = cacheWith([
    mkNode("cp-1", { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] }),
    mkNode("gpu-1", { taints: [{ key: "dedicated", value: "gpu", effect: "NoExecute" }] }),
    mkNode("soft-1", { taints: [{ key: "spot", value: "true", effect: "PreferNoSchedule" }] }),
  ]);
  const plain = mkPod("plain");
  assert.deepEqual(run(taintTolerationFilter, plain, cache, "cp-1"), { plugin: "TaintToleration", code: "UnschedulableAndUnresolvable", reasons: ["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"] });
  assert.deepEqual(run(taintTolerationFilter, plain, cache, "gpu-1")?.reasons, ["node(s) had untolerated taint {dedicated: gpu}"]);
  assert.equal(run(taintTolerationFilter, plain, cache, "soft-1"), undefined);
  const tolerant = mkPod("tolerant", {
    spec: {
      tolerations: [
        { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
        { key: "dedicated", operator: "Equal", value: "gpu" },
      ],
    },
  });
  assert.equal(run(taintTolerationFilter, tolerant, cache, "cp-1"), undefined);
  assert.equal(run(taintTolerationFilter, tolerant, cache, "gpu-1"), undefined, "an empty effect tolerates every effect");
  const wrongValue = mkPod("wrong", { spec: { tolerations: [{ key: "dedicated", operator: "Equal", value: "cpu", effect: "NoExecute" }] } });
  assert.ok(run(taintTolerationFilter, wrongValue, cache, "gpu-1"));
  const everything = mkPod("all", { spec: { tolerations: [{ operator: "Exists" }] } });
  assert.equal(run(taintTolerationFilter, everything, cache, "gpu-1"), undefined);
});

test("NodeUnschedulable: cordoned nodes only for pods tolerating node.kubernetes.io/unschedulable", () => {
  const cache = cacheWith([mkNode("cordoned", { unschedulable: true }), mkNode("open")]);
  assert.deepEqual(run(nodeUnschedulable, mkPod("web"), cache, "cordoned"), { plugin: "NodeUnschedulable", code: "UnschedulableAndUnresolvable", reasons: ["node(s) were unschedulable"] });
  assert.equal(run(nodeUnschedulable, mkPod("web"), cache, "open"), undefined);
  const ds = mkPod("ds", { spec: { tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }] } });
  assert.equal(run(nodeUnschedulable, ds, cache, "cordoned"), undefined);
});

test("NodePorts: a host port in use on the node conflicts (0.0.0.0 overlaps every address)", () => {
  const withPort = (name: string, port: number, hostIP?: string, protocol?: string): Pod =>
    mkPod(name, { spec: { containers: [{ name: "c", image: "x", ports: [{ containerPort: 80, hostPort: port, hostIP, protocol }] }] } });
  const cache = cacheWith([mkNode("pi-1"), mkNode("pi-2")], [[withPort("ingress", 80), "pi-1"], [withPort("dns", 53, "10.0.0.1", "UDP"), "pi-2"]]);
  assert.deepEqual(run(nodePorts, withPort("web", 80), cache, "pi-1"), { plugin: "NodePorts", code: "Unschedulable", reasons: ["node(s) didn't have free ports for the requested pod ports"] });
  assert.equal(run(nodePorts, withPort("web", 80), cache, "pi-2"), undefined);
  assert.equal(run(nodePorts, withPort("dns-tcp", 53, "10.0.0.1", "TCP"), cache, "pi-2"), undefined, "another protocol");
  assert.equal(run(nodePorts, withPort("dns-other-ip", 53, "10.0.0.2", "UDP"), cache, "pi-2"), undefined, "another address");
  assert.ok(run(nodePorts, withPort("dns-any", 53, undefined, "UDP"), cache, "pi-2"), "0.0.0.0 overlaps 10.0.0.1");
});

test("InterPodAffinity: required affinity, anti-affinity, and running pods' anti-affinity", () => {
  const zone = (z: string) => ({ "topology.kubernetes.io/zone": z });
  const cache = cacheWith(
    [mkNode("a-1", { labels: zone("a") }), mkNode("a-2", { labels: zone("a") }), mkNode("b-1", { labels: zone("b") }), mkNode("nozone")],
    [
      [mkPod("cache-0", { labels: { app: "cache" } }), "a-1"],
      [
        mkPod("loner", {
          labels: { app: "loner" },
          spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "noisy" } }, topologyKey: "topology.kubernetes.io/zone" }] } } },
        }),
        "b-1",
      ],
    ],
  );
  const nearCache = mkPod("web", { labels: { app: "web" }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "cache" } }, topologyKey: "topology.kubernetes.io/zone" }] } } } });
  assert.equal(run(interPodAffinityFilter, nearCache, cache, "a-2"), undefined, "same zone as the cache pod");
  assert.deepEqual(run(interPodAffinityFilter, nearCache, cache, "b-1"), { plugin: "InterPodAffinity", code: "UnschedulableAndUnresolvable", reasons: ["node(s) didn't match pod affinity rules"] });
  assert.equal(run(interPodAffinityFilter, nearCache, cache, "nozone")?.code, "UnschedulableAndUnresolvable", "topology label missing");

  const awayFromCache = mkPod("batch", { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "cache" } }, topologyKey: "kubernetes.io/hostname" }] } } } });
  assert.deepEqual(run(interPodAffinityFilter, awayFromCache, cache, "a-1"), { plugin: "InterPodAffinity", code: "Unschedulable", reasons: ["node(s) didn't match pod anti-affinity rules"] });
  assert.equal(run(interPodAffinityFilter, awayFromCache, cache, "a-2"), undefined, "another host in the same zone is fine");

  const noisy = mkPod("noisy", { labels: { app: "noisy" } });
  assert.deepEqual(run(interPodAffinityFilter, noisy, cache, "b-1")?.reasons, ["node(s) didn't satisfy existing pods anti-affinity rules"]);
  assert.equal(run(interPodAffinityFilter, noisy, cache, "a-1"), undefined);

  // The first pod of a group with affinity to itself may start anywhere with the topology key.
  const first = mkPod("etcd-0", { labels: { app: "etcd" }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "etcd" } }, topologyKey: "topology.kubernetes.io/zone" }] } } } });
  assert.equal(run(interPodAffinityFilter, first, cache, "b-1"), undefined);
  assert.ok(run(interPodAffinityFilter, first, cache, "nozone"));
});

test("PodTopologySpread: DoNotSchedule constraints keep the skew within maxSkew", () => {
  const zone = (z: string) => ({ "topology.kubernetes.io/zone": z });
  const web = (name: string) => mkPod(name, { labels: { app: "web" } });
  const cache = cacheWith(
    [mkNode("a-1", { labels: zone("a") }), mkNode("b-1", { labels: zone("b") }), mkNode("bare")],
    [[web("web-0"), "a-1"], [web("web-1"), "a-1"], [web("web-2"), "b-1"]],
  );
  const spec = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "web" } } }] };
  const next = mkPod("web-3", { labels: { app: "web" }, spec });
  assert.deepEqual(run(podTopologySpreadFilter, next, cache, "a-1"), { plugin: "PodTopologySpread", code: "Unschedulable", reasons: ["node(s) didn't match pod topology spread constraints"] });
  assert.equal(run(podTopologySpreadFilter, next, cache, "b-1"), undefined);
  assert.deepEqual(run(podTopologySpreadFilter, next, cache, "bare")?.reasons, ["node(s) didn't match pod topology spread constraints (missing required label)"]);
  const anyway = mkPod("web-4", { labels: { app: "web" }, spec: { topologySpreadConstraints: [{ ...spec.topologySpreadConstraints[0]!, whenUnsatisfiable: "ScheduleAnyway" }] } });
  assert.equal(run(podTopologySpreadFilter, anyway, cache, "a-1"), undefined, "ScheduleAnyway only scores");
});
