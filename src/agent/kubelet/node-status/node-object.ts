/**
 * The Node object a kubelet registers and the status it reports: standard labels, capacity and
 * allocatable, nodeInfo, addresses and the four conditions with upstream's reasons and messages
 * (pkg/kubelet/nodestatus/setters.go), with lastTransitionTime kept while a condition holds.
 */
import type { ContainerImage, NodeAddress, NodeCondition, NodeStatus, NodeSystemInfo, Taint } from "kubernetes-types/core/v1.js";
import { rfc3339 } from "../../../shared/api/time.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { KUBE_GIT_VERSION } from "../../../shared/version.js";
import type { HostFacts } from "./host-facts.js";
import { DEFAULT_EVICTION_HARD, DEFAULT_MAX_PODS, nodeAllocatable, nodeCapacity, type EvictionThresholds, type Pressure, type Reservations } from "./resources.js";

export const LABEL_HOSTNAME = "kubernetes.io/hostname";
export const LABEL_OS = "kubernetes.io/os";
export const LABEL_ARCH = "kubernetes.io/arch";
export const LABEL_BETA_OS = "beta.kubernetes.io/os";
export const LABEL_BETA_ARCH = "beta.kubernetes.io/arch";
export const NODE_ROLE_PREFIX = "node-role.kubernetes.io/";
/** The labels the kubelet owns and rewrites on every registration (upstream `updateDefaultLabels`). */
export const DEFAULT_LABEL_KEYS = [LABEL_HOSTNAME, LABEL_OS, LABEL_ARCH, LABEL_BETA_OS, LABEL_BETA_ARCH];
/** Images listed in status.images, largest first (upstream `maxImagesInNodeStatus`): enough for image-locality scoring. */
export const MAX_IMAGES_IN_NODE_STATUS = 50;
/** Names kept per image (upstream `MaxNamesPerImageInNodeStatus`). */
export const MAX_NAMES_PER_IMAGE = 5;
/** Set by kubelets that leave volume attach/detach to the controller (upstream's default). */
const ANNOTATION_CONTROLLER_ATTACH = "volumes.kubernetes.io/controller-managed-attach-detach";

/** A Node object with the status fields typed. */
export interface NodeObject extends KubeObject {
  spec: { podCIDR?: string; podCIDRs?: string[]; taints?: Taint[]; unschedulable?: boolean; providerID?: string };
  status: NodeStatus;
}

export interface NodeConfig {
  nodeName: string;
  /** The Hostname address and `kubernetes.io/hostname` label; defaults to the node name, as `--hostname-override`. */
  hostname?: string;
  /** InternalIP; defaults to the default route's IPv4. */
  nodeIP?: string;
  /** Roles as `node-role.kubernetes.io/<role>: "true"` labels (k3s's value), e.g. ["control-plane"]. */
  roles?: string[];
  /** Extra labels (`--node-label`). */
  labels?: Record<string, string>;
  /** Taints to register with (`--node-taint`, upstream `--register-with-taints`). */
  taints?: Taint[];
  /** The node's pod CIDRs, one per IP family. */
  podCIDRs?: string[];
  /** e.g. `docker://27.3.1`. */
  containerRuntimeVersion: string;
  /** The port the kubelet's API answers on, when it has one (ours is reached through the tunnel). */
  kubeletPort?: number;
  maxPods?: number;
  reserved?: Reservations;
  evictionHard?: EvictionThresholds;
}

/**
 * Node.js's `process.arch` as a Go GOARCH, which is what Kubernetes labels and nodeInfo use.
 *
 * @example goArch("x64") === "amd64"; goArch("arm64") === "arm64"
 */
export function goArch(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: "amd64", ia32: "386", arm: "arm", arm64: "arm64", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64", loong64: "loong64", mips: "mips", mipsel: "mipsle" };
  return map[arch] ?? arch;
}

/** GOOS for `process.platform` (the same names for linux and darwin; "win32" → "windows"). */
export function goOS(platform: string = process.platform): string {
  return platform === "win32" ? "windows" : platform;
}

/**
 * The labels a kubelet puts on its Node: hostname, os, arch (and their beta twins), roles, extras.
 *
 * @example nodeLabels({ nodeName: "pi1", roles: ["control-plane"], containerRuntimeVersion: "docker://27" })
 *   // { "kubernetes.io/hostname": "pi1", "kubernetes.io/os": "linux", "kubernetes.io/arch": "arm64", …, "node-role.kubernetes.io/control-plane": "true" }
 */
export function nodeLabels(cfg: NodeConfig): Record<string, string> {
  const os = goOS();
  const arch = goArch();
  const labels: Record<string, string> = {
    [LABEL_BETA_ARCH]: arch,
    [LABEL_BETA_OS]: os,
    [LABEL_ARCH]: arch,
    [LABEL_HOSTNAME]: (cfg.hostname ?? cfg.nodeName).toLowerCase(),
    [LABEL_OS]: os,
  };
  for (const role of cfg.roles ?? []) labels[NODE_ROLE_PREFIX + role] = "true";
  return { ...labels, ...(cfg.labels ?? {}) };
}

/** The keys `reconcileLabels` treats as the kubelet's own: the defaults, roles and extras it was given. */
export function ownedLabelKeys(cfg: NodeConfig): string[] {
  return Object.keys(nodeLabels(cfg));
}

/**
 * `status.nodeInfo`: identity and versions.
 *
 * @example nodeSystemInfo(facts, "docker://27.3.1").kubeletVersion === KUBE_GIT_VERSION
 */
export function nodeSystemInfo(facts: HostFacts, containerRuntimeVersion: string): NodeSystemInfo {
  return {
    architecture: goArch(),
    bootID: facts.bootID,
    containerRuntimeVersion,
    kernelVersion: facts.kernelVersion,
    // Upstream 1.32 still fills it (DisableNodeKubeProxyVersion is off until 1.33); our proxy ships in the same binary.
    kubeProxyVersion: KUBE_GIT_VERSION,
    kubeletVersion: KUBE_GIT_VERSION,
    machineID: facts.machineID,
    operatingSystem: goOS(),
    osImage: facts.osImage,
    systemUUID: facts.systemUUID,
  };
}

/**
 * InternalIP then Hostname, as the kubelet lists them.
 *
 * @example nodeAddresses({ nodeName: "pi1", nodeIP: "10.0.0.5", … }, facts) // [{ type: "InternalIP", address: "10.0.0.5" }, { type: "Hostname", address: "pi1" }]
 */
export function nodeAddresses(cfg: NodeConfig, facts: HostFacts): NodeAddress[] {
  const out: NodeAddress[] = [];
  const ip = cfg.nodeIP ?? facts.defaultIPv4;
  if (ip) out.push({ type: "InternalIP", address: ip });
  out.push({ type: "Hostname", address: (cfg.hostname ?? cfg.nodeName).toLowerCase() });
  return out;
}

interface ConditionSpec {
  type: string;
  /** True means healthy for Ready and unhealthy for the pressure conditions. */
  status: "True" | "False";
  reason: string;
  message: string;
}

function pressureCondition(type: string, pressured: boolean, yes: [string, string], no: [string, string]): ConditionSpec {
  const [reason, message] = pressured ? yes : no;
  return { type, status: pressured ? "True" : "False", reason, message };
}

/**
 * The four conditions in the kubelet's order (Ready last), keeping each one's lastTransitionTime from
 * `previous` while its status holds, and stamping `now` as the heartbeat.
 *
 * @example nodeConditions(undefined, { memory: false, disk: false, pid: false }, [], new Date()).map((c) => c.type)
 *   // ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"]
 */
export function nodeConditions(previous: NodeCondition[] | undefined, pressure: Pressure, notReadyReasons: string[], now: Date): NodeCondition[] {
  const specs: ConditionSpec[] = [
    pressureCondition("MemoryPressure", pressure.memory, ["KubeletHasInsufficientMemory", "kubelet has insufficient memory available"], ["KubeletHasSufficientMemory", "kubelet has sufficient memory available"]),
    pressureCondition("DiskPressure", pressure.disk, ["KubeletHasDiskPressure", "kubelet has disk pressure"], ["KubeletHasNoDiskPressure", "kubelet has no disk pressure"]),
    pressureCondition("PIDPressure", pressure.pid, ["KubeletHasInsufficientPID", "kubelet has insufficient PID available"], ["KubeletHasSufficientPID", "kubelet has sufficient PID available"]),
    notReadyReasons.length
      ? { type: "Ready", status: "False", reason: "KubeletNotReady", message: notReadyReasons.join(",") }
      : { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" },
  ];
  const stamp = rfc3339(now);
  return specs.map((s) => {
    const old = previous?.find((c) => c.type === s.type);
    const transition = old && old.status === s.status && old.lastTransitionTime ? old.lastTransitionTime : stamp;
    return { type: s.type, status: s.status, lastHeartbeatTime: stamp, lastTransitionTime: transition, reason: s.reason, message: s.message };
  });
}

/** An image in the runtime, as the kubelet's image manager lists it. */
export interface NodeImage {
  repoDigests: string[];
  repoTags: string[];
  sizeBytes: number;
}

/**
 * `status.images`: the largest images first, at most 50, each with digests then tags, at most 5 names.
 *
 * @example nodeImages([{ repoDigests: ["nginx@sha256:…"], repoTags: ["nginx:1.27"], sizeBytes: 192e6 }]) // [{ names: ["nginx@sha256:…", "nginx:1.27"], sizeBytes: 192000000 }]
 */
export function nodeImages(images: NodeImage[]): ContainerImage[] {
  return [...images]
    .sort((a, b) => b.sizeBytes - a.sizeBytes)
    .slice(0, MAX_IMAGES_IN_NODE_STATUS)
    .map((i) => ({ names: [...i.repoDigests, ...i.repoTags].slice(0, MAX_NAMES_PER_IMAGE), sizeBytes: i.sizeBytes }));
}

export interface StatusInputs {
  facts: HostFacts;
  /** The runtime's images; leaves status.images as it was when undefined (runtime not listed yet). */
  images?: NodeImage[];
  pressure: Pressure;
  /** Why the node is not ready (runtime down, network not set up); empty when ready. */
  notReadyReasons: string[];
  now: Date;
}

/**
 * The whole status the kubelet owns, merged over `previous` (fields others own, such as
 * `volumesAttached`, stay as they were).
 *
 * @example nodeStatus(cfg, { facts, pressure, notReadyReasons: [], now: new Date() }, live.status)
 */
export function nodeStatus(cfg: NodeConfig, inputs: StatusInputs, previous?: NodeStatus): NodeStatus {
  const maxPods = cfg.maxPods ?? DEFAULT_MAX_PODS;
  const status: NodeStatus = {
    ...(previous ?? {}),
    capacity: nodeCapacity(inputs.facts, maxPods),
    allocatable: nodeAllocatable(inputs.facts, cfg.reserved, cfg.evictionHard ?? DEFAULT_EVICTION_HARD, maxPods),
    conditions: nodeConditions(previous?.conditions, inputs.pressure, inputs.notReadyReasons, inputs.now),
    addresses: nodeAddresses(cfg, inputs.facts),
    nodeInfo: nodeSystemInfo(inputs.facts, cfg.containerRuntimeVersion),
  };
  if (inputs.images) status.images = nodeImages(inputs.images);
  if (cfg.kubeletPort) status.daemonEndpoints = { kubeletEndpoint: { Port: cfg.kubeletPort } };
  return status;
}

/**
 * The Node to create on first registration.
 *
 * @example const node = initialNode(cfg, { facts: readHostFacts(dataDir), pressure, notReadyReasons: [], now: new Date() });
 */
export function initialNode(cfg: NodeConfig, inputs: StatusInputs): NodeObject {
  const spec: NodeObject["spec"] = {};
  if (cfg.podCIDRs?.length) {
    spec.podCIDR = cfg.podCIDRs[0];
    spec.podCIDRs = [...cfg.podCIDRs];
  }
  if (cfg.taints?.length) spec.taints = cfg.taints.map((t) => ({ ...t }));
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: cfg.nodeName, labels: nodeLabels(cfg), annotations: { [ANNOTATION_CONTROLLER_ATTACH]: "true" } },
    spec,
    status: nodeStatus(cfg, inputs),
  };
}

/** A condition list without the heartbeat stamps, for comparison (not sorted with localeCompare: ICU's collation data is 2.6 MB resident). */
function conditionsSansHeartbeat(cs: NodeCondition[] | undefined): unknown {
  return (cs ?? []).map(({ lastHeartbeatTime: _h, ...rest }) => rest).sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/**
 * True when two statuses differ in anything but heartbeat times (upstream `nodeStatusHasChanged`):
 * the kubelet posts a changed status at once and an unchanged one only every report period.
 *
 * @example nodeStatusChanged(a, { ...a, conditions: withNewHeartbeats }) === false
 */
export function nodeStatusChanged(a: NodeStatus | undefined, b: NodeStatus | undefined): boolean {
  if (!a || !b) return a !== b;
  const { conditions: ca, ...ra } = a;
  const { conditions: cb, ...rb } = b;
  return stableJson(ra) !== stableJson(rb) || stableJson(conditionsSansHeartbeat(ca)) !== stableJson(conditionsSansHeartbeat(cb));
}

/** JSON with object keys sorted, so equal values compare equal whatever order the server wrote. */
function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === "object" && !Array.isArray(val) ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : val,
  );
}

/** Event reasons per condition and status (upstream `recordNodeStatusEvent` calls in the setters). */
const CONDITION_EVENTS: Record<string, { True: string; False: string }> = {
  MemoryPressure: { True: "NodeHasInsufficientMemory", False: "NodeHasSufficientMemory" },
  DiskPressure: { True: "NodeHasDiskPressure", False: "NodeHasNoDiskPressure" },
  PIDPressure: { True: "NodeHasInsufficientPID", False: "NodeHasSufficientPID" },
  Ready: { True: "NodeReady", False: "NodeNotReady" },
};

export interface NodeEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/**
 * The events a kubelet records when its conditions change: one per condition that is new or flipped,
 * "Node <name> status is now: <reason>", all Normal, as upstream.
 *
 * @example conditionEvents("pi1", undefined, posted.conditions) // [{ type: "Normal", reason: "NodeHasSufficientMemory", message: "Node pi1 status is now: NodeHasSufficientMemory" }, …]
 */
export function conditionEvents(nodeName: string, previous: NodeCondition[] | undefined, next: NodeCondition[] | undefined): NodeEvent[] {
  const out: NodeEvent[] = [];
  for (const c of next ?? []) {
    const names = CONDITION_EVENTS[c.type];
    if (!names || (c.status !== "True" && c.status !== "False")) continue;
    if (previous?.find((p) => p.type === c.type)?.status === c.status) continue;
    const reason = names[c.status];
    out.push({ type: "Normal", reason, message: `Node ${nodeName} status is now: ${reason}` });
  }
  return out;
}
