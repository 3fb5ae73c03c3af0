/**
 * The kubelet's view of a container runtime: a small, CRI-like surface (pod sandboxes, containers,
 * streaming) that the Docker implementation (`docker.ts`) and the simulated runtime (`sim.ts`)
 * both provide. Everything here is in Kubernetes terms; nothing leaks Docker types.
 */
import type { Duplex, Readable, Writable } from "node:stream";
import type { ContainerPort, ResourceRequirements, SecurityContext, PodSecurityContext } from "kubernetes-types/core/v1.js";

/** The per-node pod network: a bridge whose subnet is the node's pod CIDR. */
export interface PodNetwork {
  /** Bridge network name, e.g. `kube-lite-node1`. */
  name: string;
  /** The node's pod CIDR, e.g. `10.42.0.0/24`; the first address is the gateway. */
  subnet: string;
}

export interface PortMapping {
  containerPort: number;
  hostPort: number;
  protocol?: "TCP" | "UDP" | "SCTP";
  hostIP?: string;
}

/** DNS settings written into the sandbox's resolv.conf (shared by every container of the pod). */
export interface PodDNSConfig {
  nameservers?: string[];
  searches?: string[];
  options?: string[];
}

export interface PodSandboxConfig {
  podUid: string;
  namespace: string;
  name: string;
  /** The pod's hostname (`spec.hostname` or the pod name, at most 63 characters). */
  hostname?: string;
  /** `<subdomain>.<namespace>.svc.<cluster-domain>` when `spec.subdomain` is set: /etc/hosts gets the FQDN. */
  domainname?: string;
  /** `hostPort`s of the pod's containers, published on the sandbox (which owns the network namespace). */
  portMappings?: PortMapping[];
  /** Required unless `hostNetwork`. */
  podCIDRNetwork?: PodNetwork;
  hostNetwork?: boolean;
  /** `securityContext.sysctls` (namespaced ones, e.g. net.ipv4.ip_unprivileged_port_start), set on the sandbox's namespaces. */
  sysctls?: Record<string, string>;
  /** `spec.shareProcessNamespace`: containers join the sandbox's PID namespace. */
  shareProcessNamespace?: boolean;
  dns?: PodDNSConfig;
  /** `spec.hostAliases` as `host:ip` lines for /etc/hosts. */
  hostAliases?: { ip: string; hostnames: string[] }[];
  /** The pod's labels; recorded on the sandbox with a `label.` prefix-free copy for humans. */
  labels?: Record<string, string>;
  /** Sandbox attempt, incremented when the kubelet has to recreate a sandbox. */
  attempt?: number;
}

export interface PodSandbox {
  sandboxId: string;
  /** Pod IP from the node's pod CIDR; empty for host-network pods. */
  ip: string;
}

/** Where a mount's content comes from on the host. */
export type MountSource =
  | { type: "bind"; path: string }
  /** A Docker volume (used for `emptyDir.medium: Memory`: one tmpfs shared by the pod's containers). */
  | { type: "volume"; name: string };

export interface ContainerMount {
  source: MountSource;
  containerPath: string;
  readOnly?: boolean;
  /** `mountPropagation`: None (default), HostToContainer, Bidirectional. */
  propagation?: "None" | "HostToContainer" | "Bidirectional";
}

export interface EnvVar {
  name: string;
  value: string;
}

/** One container of a pod, with everything the kubelet resolved (env values, volume sources). */
export interface ContainerConfig {
  name: string;
  /** The image as written in the pod spec. */
  image: string;
  /** The image ID `ensureImage` resolved; the container is created from it so a re-tag cannot swap it. */
  imageRef?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  workingDir?: string;
  ports?: ContainerPort[];
  resources?: ResourceRequirements;
  securityContext?: SecurityContext;
  podSecurityContext?: PodSecurityContext;
  mounts?: ContainerMount[];
  /** Defaults to /dev/termination-log; backed by a host file per container instance. */
  terminationMessagePath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  /** How many times this container was restarted in its pod (0 for the first run). */
  restartCount: number;
  /** Linux OOM score adjustment from the pod's QoS class (upstream: Guaranteed -997, BestEffort 1000). */
  oomScoreAdj?: number;
  /** Extra labels, e.g. a spec hash the kubelet compares to detect changes. */
  labels?: Record<string, string>;
}

export type ContainerStateName = "created" | "running" | "exited" | "unknown";

/** A container's state in the words of `ContainerStatus.state`. */
export interface ContainerState {
  state: ContainerStateName;
  createdAt?: Date;
  startedAt?: Date;
  finishedAt?: Date;
  exitCode?: number;
  /** OOMKilled, Completed, Error or ContainerCannotRun (a start failure). */
  reason?: string;
  /** The termination message file's content, or the runtime's start error. */
  message?: string;
  /** Process ID on the host while running. */
  pid?: number;
}

/** What the labels on a container say about it (enough to adopt it after an agent restart). */
export interface ContainerIdentity {
  podUid: string;
  namespace: string;
  podName: string;
  sandboxId: string;
  containerName: string;
  restartCount: number;
}

export interface ContainerInfo extends ContainerIdentity, ContainerState {
  /** `docker://<id>` as in `ContainerStatus.containerID`. */
  containerID: string;
  id: string;
  image: string;
  /** `docker-pullable://repo@sha256:…` or `docker://sha256:…` as in `ContainerStatus.imageID`. */
  imageID: string;
  labels: Record<string, string>;
}

export interface SandboxInfo {
  sandboxId: string;
  podUid: string;
  namespace: string;
  podName: string;
  attempt: number;
  ip: string;
  state: "ready" | "notready";
  createdAt?: Date;
  labels: Record<string, string>;
}

/** A pod as the runtime sees it: its sandboxes and containers, grouped by pod UID from labels. */
export interface RuntimePod {
  podUid: string;
  namespace: string;
  name: string;
  sandboxes: SandboxInfo[];
  containers: ContainerInfo[];
}

export interface LogOptions {
  follow?: boolean;
  /** Only the last N lines (`--tail`). */
  tailLines?: number;
  /** Only lines written at or after this time (`--since`, `--since-time`). */
  since?: Date;
  /** Prefix each line with its RFC 3339 nano timestamp, as kubectl shows it. */
  timestamps?: boolean;
  /** Stop after this many bytes (`--limit-bytes`). */
  limitBytes?: number;
  /** Which streams; both by default. */
  stdout?: boolean;
  stderr?: boolean;
}

/** A running log stream; `close()` stops a follow. */
export interface LogStream {
  /** stdout and stderr lines in the order the container wrote them. */
  output: Readable;
  close(): void;
}

export interface ExecOptions {
  command: string[];
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  tty?: boolean;
}

/** An interactive session with a process in a container (exec or attach). */
export interface StreamSession {
  /** Present when stdin was requested; end() closes the process's stdin. */
  stdin: Writable | null;
  stdout: Readable | null;
  /** Null with a tty (stderr is merged into stdout) or when not requested. */
  stderr: Readable | null;
  /** Change the terminal size (tty only). */
  resize(size: { width: number; height: number }): Promise<void>;
  /** The process's exit code once the session ends (for attach: the container's). */
  exitCode: Promise<number>;
  /** Tear the session down (the process keeps running for attach). */
  close(): void;
}

export type ImagePullPolicy = "Always" | "IfNotPresent" | "Never";

export interface RegistryAuth {
  username?: string;
  password?: string;
  serveraddress?: string;
  identitytoken?: string;
}

export interface EnsureImageResult {
  /** Image ID (`sha256:…`) to create the container from. */
  imageRef: string;
  /** True when a pull happened. */
  pulled: boolean;
  /** Set when we fell back to a local image because no registry was reachable: record as a Warning event. */
  warning?: string;
}

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
}

/** One sample of a container's usage, in the units of the kubelet's summary API. */
export interface ContainerStats {
  time: Date;
  /** Cumulative CPU time, all cores (rate = difference between two samples). */
  cpuUsageCoreNanoSeconds: number;
  memoryUsageBytes: number;
  /** Usage minus inactive file cache: what the OOM killer and `kubectl top` look at. */
  memoryWorkingSetBytes: number;
}

/** A lifecycle change of one of this node's sandboxes or containers (for the kubelet's PLEG). */
export interface RuntimeEvent {
  /** Docker container ID of the sandbox or container. */
  id: string;
  kind: "sandbox" | "container";
  /** created, started, died (exited or killed), oom, destroyed. */
  action: "created" | "started" | "died" | "oom" | "destroyed";
  podUid: string;
  containerName?: string;
  /** For `died`: the exit code the engine reported. */
  exitCode?: number;
  time: Date;
}

export interface ContainerRuntime {
  /** e.g. `docker://20.10.24` for `nodeInfo.containerRuntimeVersion`. */
  version(): Promise<string>;
  runSandbox(config: PodSandboxConfig): Promise<PodSandbox>;
  stopSandbox(sandboxId: string): Promise<void>;
  removeSandbox(sandboxId: string): Promise<void>;
  listPodSandboxes(): Promise<SandboxInfo[]>;

  createContainer(sandboxId: string, sandbox: PodSandboxConfig, config: ContainerConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM (or the image's stop signal), wait up to `gracePeriodSeconds`, then SIGKILL. */
  stopContainer(id: string, gracePeriodSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  inspectContainer(id: string): Promise<ContainerInfo>;
  listContainers(): Promise<ContainerInfo[]>;
  /** Every pod this node's runtime holds, from container labels (adoption after a restart). */
  listPodContainers(): Promise<RuntimePod[]>;

  /**
   * Streams this node's lifecycle events until `stop()`; `onEnd` runs if the engine closes the
   * stream (e.g. it restarted): relist then, events may have been missed.
   */
  watchEvents(onEvent: (e: RuntimeEvent) => void, onEnd?: (err?: Error) => void): Promise<{ stop(): void }>;
  /** One usage sample of a running container. */
  containerStats(id: string): Promise<ContainerStats>;
  /** A TCP connection to `port` in the pod's network namespace (for port-forward). */
  portForward(sandboxId: string, port: number): Promise<Duplex>;

  logs(id: string, options: LogOptions): Promise<LogStream>;
  exec(id: string, options: ExecOptions): Promise<StreamSession>;
  attach(id: string, options: { stdin?: boolean; stdout?: boolean; stderr?: boolean }): Promise<StreamSession>;

  /** Host side of an emptyDir (a directory, or with `medium: Memory` one tmpfs shared by the pod). */
  emptyDir(podUid: string, volumeName: string, options: { medium?: string; sizeLimit?: string }): Promise<MountSource>;
  /** Host side of a hostPath volume, type-checked (and created for the *OrCreate types). */
  hostPath(path: string, type?: string): Promise<MountSource>;
  /** Removes what the runtime kept for a pod that no longer exists: volumes, message files. */
  cleanupPod(podUid: string): Promise<void>;

  ensureImage(image: string, policy: ImagePullPolicy, auth?: RegistryAuth): Promise<EnsureImageResult>;
  importImageTarball(path: string, progress?: (p: ImportProgress) => void): Promise<string[]>;
}
