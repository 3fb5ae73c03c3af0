import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chooseHostIPv4, defaultRouteInterface, parseMeminfo, parseOsRelease, readHostFacts, type HostFacts, type HostPaths } from "../../src/agent/kubelet/node-status/host-facts.js";
import { binaryQuantity, cpuQuantity, nodeAllocatable, nodeCapacity, pressureSignals, DEFAULT_EVICTION_HARD } from "../../src/agent/kubelet/node-status/resources.js";
import { conditionEvents, goArch, initialNode, nodeImages, nodeConditions, nodeStatus, nodeStatusChanged, type NodeConfig } from "../../src/agent/kubelet/node-status/node-object.js";
import { reconcileExistingNode } from "../../src/agent/kubelet/node-status/register.js";
import { rfc3339Micro } from "../../src/shared/api/time.js";
import { KUBE_GIT_VERSION } from "../../src/shared/version.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "kube-lite-node-status-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const MEMINFO = `MemTotal:        8049920 kB
MemFree:          512000 kB
MemAvailable:    6000000 kB
Buffers:          102400 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
`;
const OS_RELEASE = `# comment
PRETTY_NAME="Raspbian GNU/Linux 12 (bookworm)"
NAME='Raspbian'
VERSION_ID="12"
ESCAPED="say \\"hi\\""
`;
const ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0
`;

/** A fake /proc, /etc and /sys under the temp dir. */
function fakeHost(files: Partial<Record<keyof HostPaths, string>>): HostPaths {
  const root = mkdtempSync(path.join(tmp, "host-"));
  const p = (name: string): string => path.join(root, name);
  const paths: HostPaths = {
    meminfo: p("meminfo"),
    osRelease: [p("etc-os-release"), p("usr-lib-os-release")],
    machineId: [p("machine-id"), p("dbus-machine-id")],
    productUuid: p("product_uuid"),
    bootId: p("boot_id"),
    loadavg: p("loadavg"),
    pidMax: p("pid_max"),
    route: p("route"),
  };
  for (const [k, v] of Object.entries(files)) {
    const target = paths[k as keyof HostPaths];
    writeFileSync(Array.isArray(target) ? target[0]! : target, v);
  }
  return paths;
}

function facts(over: Partial<HostFacts> = {}): HostFacts {
  return {
    hostname: "pi1",
    cpus: 4,
    memoryKi: 8049920,
    memoryAvailableKi: 6000000,
    kernelVersion: "6.6.31+rpt-rpi-v8",
    osImage: "Raspbian GNU/Linux 12 (bookworm)",
    machineID: "3d1219c7c4c5404aaa1f6d2a48adfda4",
    systemUUID: "",
    bootID: "2f1e7a4c-8a45-4b47-9d2b-7f1a4c1e0b9e",
    nodeFs: { capacityBytes: 61255492 * 1024, availableBytes: 40 * 1024 ** 3, inodes: 3_900_000, inodesFree: 3_500_000 },
    pidsInUse: 195,
    pidMax: 32768,
    defaultIPv4: "192.168.1.50",
    ...over,
  };
}

const CFG: NodeConfig = {
  nodeName: "pi1",
  roles: ["control-plane"],
  labels: { "example.com/rack": "r1" },
  taints: [{ key: "dedicated", value: "edge", effect: "NoSchedule" }],
  podCIDRs: ["10.42.0.0/24"],
  containerRuntimeVersion: "docker://27.3.1",
};

test("parsers: meminfo in KiB, os-release quoting, the default route's interface", () => {
  const m = parseMeminfo(MEMINFO);
  assert.equal(m.MemTotal, 8049920);
  assert.equal(m.MemAvailable, 6000000);
  assert.equal(m.HugePages_Total, 0);
  const r = parseOsRelease(OS_RELEASE);
  assert.equal(r.PRETTY_NAME, "Raspbian GNU/Linux 12 (bookworm)");
  assert.equal(r.NAME, "Raspbian");
  assert.equal(r.ESCAPED, 'say "hi"');
  assert.equal(defaultRouteInterface(ROUTE), "eth0", "lowest metric wins");
  assert.equal(defaultRouteInterface("Iface\tDestination\n"), undefined);
  const ifaces = {
    lo: [{ address: "127.0.0.1", family: "IPv4", internal: true } as os.NetworkInterfaceInfo],
    docker0: [{ address: "172.17.0.1", family: "IPv4", internal: false } as os.NetworkInterfaceInfo],
    eth0: [{ address: "fe80::1", family: "IPv6", internal: false } as os.NetworkInterfaceInfo, { address: "192.168.1.50", family: "IPv4", internal: false } as os.NetworkInterfaceInfo],
  };
  assert.equal(chooseHostIPv4("eth0", ifaces), "192.168.1.50");
  assert.equal(chooseHostIPv4(undefined, ifaces), "172.17.0.1");
  assert.equal(chooseHostIPv4(undefined, { lo: ifaces.lo }), undefined);
});

test("readHostFacts reads a fake /proc and statfs of the data dir", () => {
  const paths = fakeHost({
    meminfo: MEMINFO,
    osRelease: OS_RELEASE,
    machineId: "abc123\n",
    bootId: "boot-1\n",
    loadavg: "0.10 0.20 0.30 4/321 999\n",
    pidMax: "4194304\n",
    route: ROUTE,
  });
  const f = readHostFacts(tmp, paths);
  assert.equal(f.memoryKi, 8049920);
  assert.equal(f.memoryAvailableKi, 6000000);
  assert.equal(f.osImage, "Raspbian GNU/Linux 12 (bookworm)");
  assert.equal(f.machineID, "abc123");
  assert.equal(f.systemUUID, "", "no DMI: empty, as cAdvisor");
  assert.equal(f.bootID, "boot-1");
  assert.equal(f.pidsInUse, 321);
  assert.equal(f.pidMax, 4194304);
  assert.ok(f.nodeFs.capacityBytes > 0 && f.nodeFs.availableBytes <= f.nodeFs.capacityBytes);
  assert.equal(f.cpus, os.cpus().length);
  // The second os-release and machine-id locations are read when the first are missing.
  const fallback = fakeHost({ meminfo: MEMINFO });
  writeFileSync(fallback.osRelease[1]!, 'PRETTY_NAME="Fallback OS"\n');
  writeFileSync(fallback.machineId[1]!, "dbus-id\n");
  const g = readHostFacts(tmp, fallback);
  assert.equal(g.osImage, "Fallback OS");
  assert.equal(g.machineID, "dbus-id");
  assert.throws(() => readHostFacts(tmp, fakeHost({})), /memory size is unknown/);
  assert.throws(() => readHostFacts(path.join(tmp, "missing-dir"), fakeHost({ meminfo: MEMINFO })), /ENOENT/);
});

test("quantities print in canonical form", () => {
  assert.equal(binaryQuantity(8049920 * 1024), "8049920Ki");
  assert.equal(binaryQuantity(2 * 1024 ** 3), "2Gi");
  assert.equal(binaryQuantity(1536 * 1024 ** 2), "1536Mi");
  assert.equal(binaryQuantity(1000), "1000");
  assert.equal(binaryQuantity(-5), "0");
  assert.equal(cpuQuantity(4000), "4");
  assert.equal(cpuQuantity(3500), "3500m");
});

test("capacity and allocatable: cpu, memory from MemTotal, pods 110, ephemeral-storage from statfs, less eviction thresholds", () => {
  const f = facts();
  assert.deepEqual(nodeCapacity(f), { cpu: "4", "ephemeral-storage": "61255492Ki", memory: "8049920Ki", pods: "110" });
  const alloc = nodeAllocatable(f);
  assert.equal(alloc.memory, `${8049920 - 100 * 1024}Ki`, "memory.available<100Mi is held back");
  const fsBytes = 61255492 * 1024;
  assert.equal(alloc["ephemeral-storage"], binaryQuantity(fsBytes - Math.floor(fsBytes * 0.1)), "nodefs.available<10% is held back");
  assert.equal(alloc.cpu, "4");
  assert.equal(alloc.pods, "110");
  const reserved = nodeAllocatable(f, { cpuMillis: 500, memoryBytes: 256 * 1024 ** 2 });
  assert.equal(reserved.cpu, "3500m");
  assert.equal(reserved.memory, `${8049920 - 100 * 1024 - 256 * 1024}Ki`);
  assert.equal(nodeCapacity(f, 20).pods, "20");
});

test("pressure signals follow the hard eviction thresholds", () => {
  assert.deepEqual(pressureSignals(facts()), { memory: false, disk: false, pid: false });
  assert.equal(pressureSignals(facts({ memoryAvailableKi: 50 * 1024 })).memory, true);
  const full = facts({ nodeFs: { capacityBytes: 100, availableBytes: 9, inodes: 1000, inodesFree: 900 } });
  assert.equal(pressureSignals(full).disk, true);
  const noInodes = facts({ nodeFs: { capacityBytes: 100, availableBytes: 50, inodes: 1000, inodesFree: 10 } });
  assert.equal(pressureSignals(noInodes).disk, true);
  assert.equal(pressureSignals(facts({ pidsInUse: 32000 })).pid, false, "no pid threshold by default, as upstream");
  assert.equal(pressureSignals(facts({ pidsInUse: 32000 }), { ...DEFAULT_EVICTION_HARD, pidAvailableFraction: 0.1 }).pid, true);
});

test("the initial Node: labels, roles, taints, pod CIDRs, nodeInfo, addresses, conditions", () => {
  const now = new Date("2026-11-27T10:00:00.500Z");
  const node = initialNode(CFG, { facts: facts(), pressure: { memory: false, disk: false, pid: false }, notReadyReasons: [], now });
  const arch = goArch();
  assert.deepEqual(node.metadata.labels, {
    "beta.kubernetes.io/arch": arch,
    "beta.kubernetes.io/os": "linux",
    "kubernetes.io/arch": arch,
    "kubernetes.io/hostname": "pi1",
    "kubernetes.io/os": "linux",
    "node-role.kubernetes.io/control-plane": "true",
    "example.com/rack": "r1",
  });
  assert.deepEqual(node.spec, { podCIDR: "10.42.0.0/24", podCIDRs: ["10.42.0.0/24"], taints: [{ key: "dedicated", value: "edge", effect: "NoSchedule" }] });
  assert.deepEqual(node.status.nodeInfo, {
    architecture: arch,
    bootID: "2f1e7a4c-8a45-4b47-9d2b-7f1a4c1e0b9e",
    containerRuntimeVersion: "docker://27.3.1",
    kernelVersion: "6.6.31+rpt-rpi-v8",
    kubeProxyVersion: KUBE_GIT_VERSION,
    kubeletVersion: KUBE_GIT_VERSION,
    machineID: "3d1219c7c4c5404aaa1f6d2a48adfda4",
    operatingSystem: "linux",
    osImage: "Raspbian GNU/Linux 12 (bookworm)",
    systemUUID: "",
  });
  assert.deepEqual(node.status.addresses, [
    { type: "InternalIP", address: "192.168.1.50" },
    { type: "Hostname", address: "pi1" },
  ]);
  assert.deepEqual(
    node.status.conditions!.map((c) => [c.type, c.status, c.reason, c.message, c.lastHeartbeatTime, c.lastTransitionTime]),
    [
      ["MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", "2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z"],
      ["DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", "2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z"],
      ["PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", "2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z"],
      ["Ready", "True", "KubeletReady", "kubelet is posting ready status", "2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z"],
    ],
  );
  // An explicit node IP wins over the detected one.
  const withIP = initialNode({ ...CFG, nodeIP: "10.0.0.9" }, { facts: facts(), pressure: { memory: false, disk: false, pid: false }, notReadyReasons: [], now });
  assert.equal(withIP.status.addresses![0]!.address, "10.0.0.9");
});

test("conditions keep lastTransitionTime while they hold and move it when they flip", () => {
  const t0 = new Date("2026-11-27T10:00:00Z");
  const t1 = new Date("2026-11-27T10:00:10Z");
  const t2 = new Date("2026-11-27T10:00:20Z");
  const ok = { memory: false, disk: false, pid: false };
  const c0 = nodeConditions(undefined, ok, [], t0);
  const c1 = nodeConditions(c0, ok, [], t1);
  assert.ok(c1.every((c) => c.lastTransitionTime === "2026-11-27T10:00:00Z" && c.lastHeartbeatTime === "2026-11-27T10:00:10Z"));
  const c2 = nodeConditions(c1, { ...ok, disk: true }, ["container runtime is down", "network not ready"], t2);
  const disk = c2.find((c) => c.type === "DiskPressure")!;
  assert.deepEqual([disk.status, disk.reason, disk.message, disk.lastTransitionTime], ["True", "KubeletHasDiskPressure", "kubelet has disk pressure", "2026-11-27T10:00:20Z"]);
  const ready = c2.find((c) => c.type === "Ready")!;
  assert.deepEqual([ready.status, ready.reason, ready.message, ready.lastTransitionTime], ["False", "KubeletNotReady", "container runtime is down,network not ready", "2026-11-27T10:00:20Z"]);
  assert.equal(c2.find((c) => c.type === "MemoryPressure")!.lastTransitionTime, "2026-11-27T10:00:00Z");
});

test("status change detection ignores heartbeats only", () => {
  const inputs = (now: Date, over: Partial<HostFacts> = {}) => ({ facts: facts(over), pressure: { memory: false, disk: false, pid: false }, notReadyReasons: [], now });
  const a = nodeStatus(CFG, inputs(new Date("2026-11-27T10:00:00Z")));
  const b = nodeStatus(CFG, inputs(new Date("2026-11-27T10:00:10Z")), a);
  assert.equal(nodeStatusChanged(a, b), false);
  // Key order from the server does not matter.
  const reordered = JSON.parse(JSON.stringify({ nodeInfo: a.nodeInfo, conditions: a.conditions, addresses: a.addresses, allocatable: a.allocatable, capacity: a.capacity }));
  assert.equal(nodeStatusChanged(a, reordered), false);
  const c = nodeStatus(CFG, inputs(new Date("2026-11-27T10:00:20Z"), { bootID: "rebooted" }), b);
  assert.equal(nodeStatusChanged(b, c), true);
  const d = nodeStatus(CFG, { ...inputs(new Date("2026-11-27T10:00:30Z")), notReadyReasons: ["down"] }, b);
  assert.equal(nodeStatusChanged(b, d), true);
  // Fields the kubelet does not own survive a status computation.
  const withVolumes = { ...a, volumesAttached: [{ name: "v", devicePath: "/dev/x" }] };
  assert.deepEqual(nodeStatus(CFG, inputs(new Date()), withVolumes).volumesAttached, [{ name: "v", devicePath: "/dev/x" }]);
});

test("re-registration reconciles the kubelet's labels and an unset pod CIDR, nothing else", () => {
  const live = initialNode({ ...CFG, roles: [], podCIDRs: [] }, { facts: facts(), pressure: { memory: false, disk: false, pid: false }, notReadyReasons: [], now: new Date() });
  live.metadata.labels!["kubernetes.io/arch"] = "wrong";
  live.metadata.labels!["user/label"] = "kept";
  live.spec.taints = [{ key: "set-by-admin", effect: "NoExecute" }];
  const next = reconcileExistingNode(live, CFG)!;
  assert.ok(next);
  assert.equal(next.metadata.labels!["kubernetes.io/arch"], goArch());
  assert.equal(next.metadata.labels!["node-role.kubernetes.io/control-plane"], "true");
  assert.equal(next.metadata.labels!["user/label"], "kept");
  assert.deepEqual(next.spec.podCIDRs, ["10.42.0.0/24"]);
  assert.deepEqual(next.spec.taints, [{ key: "set-by-admin", effect: "NoExecute" }]);
  assert.equal(live.metadata.labels!["kubernetes.io/arch"], "wrong", "the input is not modified");
  assert.equal(reconcileExistingNode(next, CFG), undefined, "nothing to do the second time");
  // A pod CIDR, once set, is not replaced (the API forbids changing it).
  const other = { ...next, spec: { ...next.spec, podCIDR: "10.42.9.0/24", podCIDRs: ["10.42.9.0/24"] } };
  assert.equal(reconcileExistingNode(other, CFG), undefined);
});

test("MicroTime has exactly six fractional digits", () => {
  assert.equal(rfc3339Micro(1764241062123456), "2025-11-27T10:57:42.123456Z");
  assert.equal(rfc3339Micro(1764241062000001), "2025-11-27T10:57:42.000001Z");
  assert.match(rfc3339Micro(Date.now() * 1000), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});


test("status.images: largest first, at most 50, digests then tags, at most 5 names", () => {
  const many = Array.from({ length: 60 }, (_, i) => ({ repoDigests: [`img${i}@sha256:${i}`], repoTags: [`img${i}:latest`], sizeBytes: i * 1000 }));
  const out = nodeImages(many);
  assert.equal(out.length, 50);
  assert.deepEqual(out[0], { names: ["img59@sha256:59", "img59:latest"], sizeBytes: 59000 });
  assert.equal(out.at(-1)!.sizeBytes, 10000);
  const wordy = nodeImages([{ repoDigests: ["a@1", "b@2", "c@3"], repoTags: ["a:1", "a:2", "a:3"], sizeBytes: 1 }]);
  assert.deepEqual(wordy[0]!.names, ["a@1", "b@2", "c@3", "a:1", "a:2"]);
  const base = { facts: facts(), pressure: { memory: false, disk: false, pid: false }, notReadyReasons: [], now: new Date() };
  const withImages = nodeStatus(CFG, { ...base, images: [{ repoDigests: [], repoTags: ["pause:3.10"], sizeBytes: 700000 }] });
  assert.deepEqual(withImages.images, [{ names: ["pause:3.10"], sizeBytes: 700000 }]);
  assert.deepEqual(nodeStatus(CFG, base, withImages).images, withImages.images, "an unknown list keeps the last one");
});

test("condition events: one per new or flipped condition, upstream reasons and message", () => {
  const ok = { memory: false, disk: false, pid: false };
  const c0 = nodeConditions(undefined, ok, [], new Date());
  assert.deepEqual(
    conditionEvents("pi1", undefined, c0).map((e) => [e.type, e.reason, e.message]),
    [
      ["Normal", "NodeHasSufficientMemory", "Node pi1 status is now: NodeHasSufficientMemory"],
      ["Normal", "NodeHasNoDiskPressure", "Node pi1 status is now: NodeHasNoDiskPressure"],
      ["Normal", "NodeHasSufficientPID", "Node pi1 status is now: NodeHasSufficientPID"],
      ["Normal", "NodeReady", "Node pi1 status is now: NodeReady"],
    ],
  );
  assert.deepEqual(conditionEvents("pi1", c0, nodeConditions(c0, ok, [], new Date())), []);
  const c1 = nodeConditions(c0, { ...ok, memory: true }, ["runtime down"], new Date());
  assert.deepEqual(conditionEvents("pi1", c0, c1).map((e) => e.reason), ["NodeHasInsufficientMemory", "NodeNotReady"]);
  // Unknown (set by the node lifecycle controller) back to True is a transition too.
  const unknown = c0.map((c) => (c.type === "Ready" ? { ...c, status: "Unknown" } : c));
  assert.deepEqual(conditionEvents("pi1", unknown, c0).map((e) => e.reason), ["NodeReady"]);
});
