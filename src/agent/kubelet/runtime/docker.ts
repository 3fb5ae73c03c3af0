/**
 * `ContainerRuntime` on a Docker engine (through dockerode, loaded lazily). One instance per node
 * agent; several agents may share one engine, because every object carries the node's label and
 * each agent sees only its own.
 */
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { chmod, mkdir, readFile, rm, writeFile } from "../../fs-async.js";
import { dirname, join } from "node:path";
import { PassThrough, Transform, Writable, type Duplex, type Readable } from "node:stream";
import type Docker from "dockerode";
import { componentLogger } from "../../../shared/log.js";
import { connectDocker, statusCode, type DockerConnection } from "./docker-client.js";
import { containerCreateOptions } from "./container-config.js";
import { demux, pipeEnding } from "./stream-demux.js";
import { ensurePodNetwork, ensureSandboxImage, resolvConf, sandboxCreateOptions } from "./sandbox.js";
import { diskEmptyDir, hostPathSource, podDir, type HostPathType } from "./volumes.js";
import { parseQuantity } from "./resources.js";
import {
  LABEL_CONTAINER_NAME, LABEL_IMAGE, LABEL_NODE, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, LABEL_SANDBOX_ATTEMPT, LABEL_TERMINATION_MESSAGE_FILE,
  LABEL_TYPE, TYPE_CONTAINER, TYPE_SANDBOX, identityFromLabels,
} from "./labels.js";
import { ensureImage as ensureImageWith } from "../images/ensure.js";
import { dockerImageBackend, importImageTarball as importTarball } from "../images/docker-images.js";
import { imageIDFor } from "../images/reference.js";
import type {
  RuntimeEvent, ContainerStats, ContainerConfig, ContainerInfo, ContainerRuntime, ContainerState, EnsureImageResult, ExecOptions, ImagePullPolicy,
  ImportProgress, LogOptions, LogStream, MountSource, PodSandbox, PodSandboxConfig, RegistryAuth, RuntimePod,
  SandboxInfo, StreamSession,
} from "./types.js";

const log = componentLogger("runtime");

/** Upstream's cap on one container's termination message (kubelet: 4 KiB). */
export const MAX_TERMINATION_MESSAGE_BYTES = 4096;
/** How often and how long to poll an exec for its exit code after its stream closed (the engine records it a moment later). */
const EXEC_EXIT_POLL_MS = 20;
const EXEC_EXIT_POLL_LIMIT = 250;
/** Docker's zero time, meaning "never". */
const DOCKER_ZERO_TIME = "0001-01-01T00:00:00Z";

export interface DockerRuntimeOptions extends DockerConnection {
  /** This agent's node: every container it creates carries it, and it lists only its own. */
  nodeName: string;
  /** The kubelet's directory (pod volumes, termination message files), e.g. DATA/agent. */
  rootDir: string;
}

function dockerTime(t: string | undefined): Date | undefined {
  if (!t || t.startsWith("0001-01-01") || t === DOCKER_ZERO_TIME) return undefined;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function ignoreStatus(...codes: number[]) {
  return (err: unknown) => {
    if (!codes.includes(statusCode(err) ?? -1)) throw err;
  };
}

/** Docker event actions we forward, and their names in our events. */
const EVENT_ACTIONS: Record<string, RuntimeEvent["action"]> = {
  create: "created",
  start: "started",
  die: "died",
  oom: "oom",
  destroy: "destroyed",
};

/**
 * One line of Docker's event stream as a RuntimeEvent; `undefined` for other events or other lines.
 *
 * @example runtimeEventOf('{"Type":"container","Action":"die","Actor":{"ID":"ab…","Attributes":{…}},"timeNano":…}')
 */
export function runtimeEventOf(line: string): RuntimeEvent | undefined {
  let raw: { Type?: string; Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> }; timeNano?: number; time?: number };
  try {
    raw = JSON.parse(line) as typeof raw;
  } catch {
    return undefined;
  }
  const action = EVENT_ACTIONS[raw.Action ?? ""];
  const attrs = raw.Actor?.Attributes ?? {};
  const type = attrs[LABEL_TYPE];
  if (raw.Type !== "container" || !action || !raw.Actor?.ID || (type !== TYPE_SANDBOX && type !== TYPE_CONTAINER)) return undefined;
  const e: RuntimeEvent = {
    id: raw.Actor.ID,
    kind: type === TYPE_SANDBOX ? "sandbox" : "container",
    action,
    podUid: attrs[LABEL_POD_UID] ?? "",
    time: new Date(raw.timeNano ? raw.timeNano / 1e6 : (raw.time ?? 0) * 1000),
  };
  if (type === TYPE_CONTAINER && attrs[LABEL_CONTAINER_NAME]) e.containerName = attrs[LABEL_CONTAINER_NAME];
  if (action === "died" && attrs["exitCode"] !== undefined) e.exitCode = Number(attrs["exitCode"]);
  return e;
}

/**
 * Passes the first `limit` bytes, then ends and calls `stop` (to close the source).
 *
 * @example logs.pipe(limitBytes(1024, () => response.destroy()))
 */
export function limitBytes(limit: number, stop: () => void): Transform {
  let left = Math.max(0, limit);
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (left <= 0) return done();
      const part = chunk.length <= left ? chunk : chunk.subarray(0, left);
      left -= part.length;
      this.push(part);
      if (left <= 0) {
        this.push(null);
        stop();
      }
      done();
    },
  });
  if (left === 0) {
    queueMicrotask(() => {
      t.push(null);
      stop();
    });
  }
  return t;
}

interface DockerStats {
  read: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; stats?: Record<string, number> };
}

/**
 * Docker's stats → ours. Working set as the kubelet (cAdvisor) computes it: usage minus inactive
 * file pages (`total_inactive_file` on cgroup v1, `inactive_file` on v2), never below zero.
 *
 * @example statsOf({ read, cpu_stats: { cpu_usage: { total_usage: 5e9 } }, memory_stats: { usage: 100, stats: { inactive_file: 30 } } })
 *   // { cpuUsageCoreNanoSeconds: 5e9, memoryUsageBytes: 100, memoryWorkingSetBytes: 70, … }
 */
export function statsOf(s: DockerStats): ContainerStats {
  const usage = s.memory_stats?.usage ?? 0;
  const inactive = s.memory_stats?.stats?.["total_inactive_file"] ?? s.memory_stats?.stats?.["inactive_file"] ?? 0;
  return {
    time: new Date(s.read),
    cpuUsageCoreNanoSeconds: s.cpu_stats?.cpu_usage?.total_usage ?? 0,
    memoryUsageBytes: usage,
    memoryWorkingSetBytes: Math.max(0, usage - inactive),
  };
}

/**
 * Maps Docker's container state to the kubelet's, with upstream's reasons.
 *
 * @example containerStateOf({ Status: "exited", ExitCode: 137, OOMKilled: true, … }).reason === "OOMKilled"
 */
export function containerStateOf(s: Docker.ContainerInspectInfo["State"], created?: string): ContainerState {
  const startedAt = dockerTime(s.StartedAt);
  const finishedAt = dockerTime(s.FinishedAt);
  const base: ContainerState = { state: "unknown", createdAt: dockerTime(created) };
  switch (s.Status) {
    case "created":
      if (s.Error) return { ...base, state: "exited", exitCode: s.ExitCode || 128, reason: "ContainerCannotRun", message: s.Error, finishedAt };
      return { ...base, state: "created" };
    case "running":
    case "paused":
    case "restarting":
      return { ...base, state: "running", startedAt, pid: s.Pid };
    case "exited":
    case "dead": {
      const reason = s.OOMKilled ? "OOMKilled" : s.Error && !startedAt ? "ContainerCannotRun" : s.ExitCode === 0 ? "Completed" : "Error";
      return { ...base, state: "exited", exitCode: s.ExitCode, reason, startedAt, finishedAt, ...(s.Error ? { message: s.Error } : {}) };
    }
    default:
      return base;
  }
}

/**
 * The Docker runtime.
 *
 * @example const runtime = new DockerRuntime({ nodeName: "node1", rootDir: "/var/lib/kube-lite/agent" });
 *          const { sandboxId, ip } = await runtime.runSandbox({ podUid, namespace: "default", name: "web",
 *            podCIDRNetwork: { name: "kube-lite-node1", subnet: "10.42.0.0/24" } });
 */
export class DockerRuntime implements ContainerRuntime {
  private dockerPromise: Promise<Docker> | undefined;
  private sandboxImage: Promise<string> | undefined;
  private readonly networks = new Map<string, Promise<void>>();
  private readonly imageIds = new Map<string, string>();

  constructor(private readonly opts: DockerRuntimeOptions) {}

  /** The dockerode client (connected on first use). */
  docker(): Promise<Docker> {
    this.dockerPromise ??= connectDocker(this.opts);
    return this.dockerPromise;
  }

  /** The engine's version; a clear error when the engine cannot be reached (call it at start). */
  async version(): Promise<string> {
    try {
      const v = await (await this.docker()).version();
      return `docker://${v.Version}`;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ECONNREFUSED" || code === "EACCES") {
        const where = this.opts.socketPath ?? process.env["DOCKER_HOST"] ?? "/var/run/docker.sock";
        throw new Error(`cannot reach the Docker engine at ${where} (${code}): is dockerd running, and may this user use its socket?`);
      }
      throw err;
    }
  }

  // ---- pod sandboxes ----

  async runSandbox(cfg: PodSandboxConfig): Promise<PodSandbox> {
    const docker = await this.docker();
    this.sandboxImage ??= ensureSandboxImage(docker).catch((err) => {
      this.sandboxImage = undefined;
      throw err;
    });
    const image = await this.sandboxImage;
    if (!cfg.hostNetwork && cfg.podCIDRNetwork) {
      const net = cfg.podCIDRNetwork;
      let ready = this.networks.get(net.name);
      if (!ready) {
        ready = ensurePodNetwork(docker, net, this.opts.nodeName).catch((err) => {
          this.networks.delete(net.name);
          throw err;
        });
        this.networks.set(net.name, ready);
      }
      await ready;
    }
    let container: Docker.Container;
    try {
      container = await this.createNamed(docker, sandboxCreateOptions(cfg, this.opts.nodeName, image));
    } catch (err) {
      // The sandbox image was removed behind our back (`docker image prune -a` on an idle node): make it again.
      if (statusCode(err) !== 404) throw err;
      this.sandboxImage = undefined;
      container = await this.createNamed(docker, sandboxCreateOptions(cfg, this.opts.nodeName, await ensureSandboxImage(docker)));
    }
    try {
      await container.start();
      const info = await container.inspect();
      if (cfg.dns && info.ResolvConfPath) {
        // As dockershim did: on a user-defined network Docker writes its embedded resolver
        // (127.0.0.11) into resolv.conf; the pod must see the cluster DNS itself. Containers that
        // join the sandbox's network share this file.
        await writeFile(info.ResolvConfPath, resolvConf(cfg.dns)).catch((err) =>
          log.warn({ err: String(err), pod: `${cfg.namespace}/${cfg.name}` }, "cannot rewrite the sandbox resolv.conf (remote engine?); Docker's resolver forwards to the pod DNS"),
        );
      }
      const ip = cfg.hostNetwork ? "" : (info.NetworkSettings.Networks[cfg.podCIDRNetwork!.name]?.IPAddress ?? "");
      log.debug({ pod: `${cfg.namespace}/${cfg.name}`, sandboxId: info.Id, ip }, "sandbox running");
      return { sandboxId: info.Id, ip };
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      throw err;
    }
  }

  async stopSandbox(sandboxId: string): Promise<void> {
    const docker = await this.docker();
    await docker.getContainer(sandboxId).stop({ t: 0 }).catch(ignoreStatus(304, 404));
  }

  async removeSandbox(sandboxId: string): Promise<void> {
    const docker = await this.docker();
    await docker.getContainer(sandboxId).remove({ force: true }).catch(ignoreStatus(404));
  }

  async listPodSandboxes(): Promise<SandboxInfo[]> {
    const docker = await this.docker();
    const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL_NODE}=${this.opts.nodeName}`, `${LABEL_TYPE}=${TYPE_SANDBOX}`] } });
    return list.map((c) => {
      const labels = c.Labels ?? {};
      const ip = Object.values(c.NetworkSettings?.Networks ?? {})[0]?.IPAddress ?? "";
      return {
        sandboxId: c.Id,
        podUid: labels[LABEL_POD_UID] ?? "",
        namespace: labels[LABEL_POD_NAMESPACE] ?? "",
        podName: labels[LABEL_POD_NAME] ?? "",
        attempt: Number(labels[LABEL_SANDBOX_ATTEMPT] ?? 0) || 0,
        ip,
        state: c.State === "running" ? "ready" : "notready",
        createdAt: new Date(c.Created * 1000),
        labels,
      };
    });
  }

  // ---- containers ----

  async createContainer(sandboxId: string, sandbox: PodSandboxConfig, config: ContainerConfig): Promise<string> {
    const docker = await this.docker();
    // One message file per container instance, so a restart never shows the previous run's message.
    const file = join(podDir(this.opts.rootDir, sandbox.podUid), "containers", config.name, randomBytes(4).toString("hex"));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, "");
    // Writable by whatever user the container runs as (the umask would otherwise narrow it).
    await chmod(file, 0o666);
    const opts = containerCreateOptions(config, { nodeName: this.opts.nodeName, sandboxId, sandbox, terminationMessageFile: file });
    try {
      return (await this.createNamed(docker, opts)).id;
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
  }

  async startContainer(id: string): Promise<void> {
    const docker = await this.docker();
    await docker.getContainer(id).start().catch(ignoreStatus(304));
  }

  async stopContainer(id: string, gracePeriodSeconds: number): Promise<void> {
    const docker = await this.docker();
    // The engine sends the stop signal, waits `t` seconds, then SIGKILL, and answers when it is gone.
    // Idempotent, as CRI asks: stopping a stopped or removed container is not an error.
    await docker.getContainer(id).stop({ t: Math.max(0, Math.ceil(gracePeriodSeconds)) }).catch(ignoreStatus(304, 404));
  }

  async removeContainer(id: string): Promise<void> {
    const docker = await this.docker();
    const c = docker.getContainer(id);
    const file = await c.inspect().then((i) => i.Config.Labels?.[LABEL_TERMINATION_MESSAGE_FILE], () => undefined);
    await c.remove({ force: true }).catch(ignoreStatus(404));
    if (file) await rm(file, { force: true });
  }

  async inspectContainer(id: string): Promise<ContainerInfo> {
    const docker = await this.docker();
    const info = await docker.getContainer(id).inspect();
    return this.containerInfo(docker, info);
  }

  async listContainers(): Promise<ContainerInfo[]> {
    const docker = await this.docker();
    const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL_NODE}=${this.opts.nodeName}`, `${LABEL_TYPE}=${TYPE_CONTAINER}`] } });
    const infos = await Promise.all(list.map((c) => docker.getContainer(c.Id).inspect().then((i) => this.containerInfo(docker, i), ignoreStatus(404))));
    return infos.filter((i): i is ContainerInfo => !!i);
  }

  async listPodContainers(): Promise<RuntimePod[]> {
    const [sandboxes, containers] = await Promise.all([this.listPodSandboxes(), this.listContainers()]);
    const pods = new Map<string, RuntimePod>();
    const pod = (uid: string, namespace: string, name: string) => {
      let p = pods.get(uid);
      if (!p) pods.set(uid, (p = { podUid: uid, namespace, name, sandboxes: [], containers: [] }));
      return p;
    };
    for (const s of sandboxes) pod(s.podUid, s.namespace, s.podName).sandboxes.push(s);
    for (const c of containers) pod(c.podUid, c.namespace, c.podName).containers.push(c);
    return [...pods.values()];
  }

  // ---- volumes ----

  async emptyDir(podUid: string, volumeName: string, options: { medium?: string; sizeLimit?: string }): Promise<MountSource> {
    if (options.medium !== "Memory") return diskEmptyDir(this.opts.rootDir, podUid, volumeName);
    // One tmpfs per volume, shared by the pod's containers: a Docker volume of type tmpfs is
    // mounted once by the engine and bind-mounted into each container that uses it.
    const docker = await this.docker();
    const name = `kube-lite_${podUid}_${volumeName}`.replace(/[^a-zA-Z0-9_.-]/g, "-");
    const size = parseQuantity(options.sizeLimit);
    const o = ["mode=1777", ...(size ? [`size=${Math.ceil(size)}`] : [])].join(",");
    await docker.createVolume({
      Name: name,
      Driver: "local",
      DriverOpts: { type: "tmpfs", device: "tmpfs", o },
      Labels: { [LABEL_NODE]: this.opts.nodeName, [LABEL_POD_UID]: podUid },
    });
    return { type: "volume", name };
  }

  hostPath(path: string, type?: string): Promise<MountSource> {
    return hostPathSource(path, (type ?? "") as HostPathType);
  }

  async cleanupPod(podUid: string): Promise<void> {
    const docker = await this.docker();
    const { Volumes } = await docker.listVolumes({ filters: { label: [`${LABEL_NODE}=${this.opts.nodeName}`, `${LABEL_POD_UID}=${podUid}`] } });
    for (const v of Volumes ?? []) await docker.getVolume(v.Name).remove().catch(ignoreStatus(404));
    await rm(podDir(this.opts.rootDir, podUid), { recursive: true, force: true });
  }

  // ---- events and port-forward ----

  async watchEvents(onEvent: (e: RuntimeEvent) => void, onEnd?: (err?: Error) => void): Promise<{ stop(): void }> {
    const docker = await this.docker();
    const stream = (await docker.getEvents({
      filters: { type: ["container"], label: [`${LABEL_NODE}=${this.opts.nodeName}`], event: Object.keys(EVENT_ACTIONS) },
    })) as unknown as Readable;
    let stopped = false;
    let ended = false;
    let rest = "";
    const end = (err?: Error) => {
      if (ended || stopped) return;
      ended = true;
      onEnd?.(err);
    };
    stream.on("data", (chunk: Buffer) => {
      rest += chunk.toString("utf8");
      const lines = rest.split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        const e = runtimeEventOf(line);
        if (e && !stopped) onEvent(e);
      }
    });
    stream.on("error", (err: Error) => end(err));
    stream.on("close", () => end());
    stream.on("end", () => end());
    return {
      stop: () => {
        stopped = true;
        stream.destroy();
      },
    };
  }

  async containerStats(id: string): Promise<ContainerStats> {
    const docker = await this.docker();
    // one-shot: a single sample now, without the engine waiting a second for a "previous" one.
    const s = (await docker.getContainer(id).stats({ stream: false, "one-shot": true } as { stream: false })) as unknown as DockerStats;
    return statsOf(s);
  }

  async portForward(sandboxId: string, port: number): Promise<Duplex> {
    const docker = await this.docker();
    const info = await docker.getContainer(sandboxId).inspect();
    if (!info.State.Running) throw new Error(`pod sandbox ${sandboxId.slice(0, 12)} is not running`);
    // Pod IPs on the node's bridge are reachable from the node itself; host-network pods listen on it.
    const host = info.HostConfig.NetworkMode === "host"
      ? "127.0.0.1"
      : Object.values(info.NetworkSettings.Networks ?? {}).map((n) => n.IPAddress).find(Boolean);
    if (!host) throw new Error(`pod sandbox ${sandboxId.slice(0, 12)} has no IP address`);
    return new Promise<Duplex>((resolve, reject) => {
      const socket = connect({ host, port });
      const failed = (err: Error) => reject(new Error(`error forwarding port ${port} to pod sandbox ${sandboxId.slice(0, 12)}: ${err.message}`));
      socket.once("error", failed);
      socket.once("connect", () => {
        socket.off("error", failed);
        // A reset after connecting reaches the caller's listeners too; this one only keeps a
        // caller without one from taking the agent down.
        socket.on("error", (err) => log.debug({ err: err.message, port }, "port-forward connection error"));
        resolve(socket);
      });
    });
  }

  // ---- streaming ----

  async logs(id: string, options: LogOptions): Promise<LogStream> {
    const docker = await this.docker();
    const container = docker.getContainer(id);
    const tty = (await container.inspect()).Config.Tty;
    const query: Record<string, unknown> = {
      follow: options.follow ?? false,
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
      timestamps: options.timestamps ?? false,
      tail: options.tailLines !== undefined ? String(Math.max(0, options.tailLines)) : "all",
    };
    if (options.since) query.since = (options.since.getTime() / 1000).toFixed(3);
    const response = await new Promise<Readable>((resolve, reject) => {
      docker.modem.dial(
        { path: `/containers/${id}/logs?`, method: "GET", isStream: true, statusCodes: { 200: true, 404: "no such container", 500: "server error" }, options: query },
        (err: unknown, stream: unknown) => (err ? reject(err) : resolve(stream as Readable)),
      );
    });
    const merged = tty ? pipeEnding(response, new PassThrough()) : demux(response, { merged: true }).stdout;
    const output = options.limitBytes !== undefined ? merged.pipe(limitBytes(options.limitBytes, () => response.destroy())) : merged;
    return {
      output,
      close: () => {
        response.destroy();
        if (!output.writableEnded) output.end();
      },
    };
  }

  async exec(id: string, options: ExecOptions): Promise<StreamSession> {
    const docker = await this.docker();
    const exec = await docker.getContainer(id).exec({
      Cmd: options.command,
      AttachStdin: options.stdin ?? false,
      AttachStdout: options.stdout ?? true,
      AttachStderr: options.stderr ?? true,
      Tty: options.tty ?? false,
    });
    const socket = (await exec.start({ hijack: true, stdin: options.stdin ?? false, Tty: options.tty ?? false })) as unknown as Duplex;
    const exitCode = new Promise<number>((resolve, reject) => {
      socket.once("close", () => {
        let polls = 0;
        const poll = () =>
          exec.inspect().then((i) => {
            if (!i.Running && i.ExitCode !== null && i.ExitCode !== undefined) return resolve(i.ExitCode);
            if (++polls > EXEC_EXIT_POLL_LIMIT) return reject(new Error(`exec in ${id}: no exit code recorded`));
            setTimeout(poll, EXEC_EXIT_POLL_MS);
          }, reject);
        poll();
      });
    });
    exitCode.catch(() => undefined);
    return this.session(socket, {
      stdin: options.stdin ?? false,
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
      tty: options.tty ?? false,
      resize: async ({ width, height }) => {
        await exec.resize({ w: width, h: height });
      },
      exitCode,
    });
  }

  async attach(id: string, options: { stdin?: boolean; stdout?: boolean; stderr?: boolean }): Promise<StreamSession> {
    const docker = await this.docker();
    const container = docker.getContainer(id);
    const tty = (await container.inspect()).Config.Tty;
    const socket = (await container.attach({
      stream: true,
      hijack: true,
      stdin: options.stdin ?? false,
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
    })) as unknown as Duplex;
    // The attach stream ends when the container's output closes (it exited) or when the caller
    // detaches; either way the exit code is the container's, once it is no longer running.
    const exitCode = new Promise<number>((resolve, reject) => {
      socket.once("close", () => {
        container.wait({ condition: "not-running" }).then((r: { StatusCode: number }) => resolve(r.StatusCode), reject);
      });
    });
    exitCode.catch(() => undefined);
    return this.session(socket, {
      stdin: options.stdin ?? false,
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
      tty,
      resize: async ({ width, height }) => {
        await container.resize({ w: width, h: height });
      },
      exitCode,
    });
  }

  // ---- images ----

  async ensureImage(image: string, policy: ImagePullPolicy, auth?: RegistryAuth): Promise<EnsureImageResult> {
    return ensureImageWith(dockerImageBackend(await this.docker()), image, policy, auth);
  }

  async importImageTarball(path: string, progress?: (p: ImportProgress) => void): Promise<string[]> {
    return importTarball(await this.docker(), path, progress);
  }

  // ---- helpers ----

  /** Creates a container; on a name clash (a leftover of an earlier attempt) adds a random suffix, as dockershim did. */
  private async createNamed(docker: Docker, opts: Docker.ContainerCreateOptions): Promise<Docker.Container> {
    try {
      return await docker.createContainer({ ...opts });
    } catch (err) {
      if (statusCode(err) !== 409) throw err;
      return docker.createContainer({ ...opts, name: `${opts.name}_${randomBytes(4).toString("hex")}` });
    }
  }

  private async containerInfo(docker: Docker, info: Docker.ContainerInspectInfo): Promise<ContainerInfo> {
    const labels = info.Config.Labels ?? {};
    const who = identityFromLabels(labels) ?? { podUid: "", namespace: "", podName: "", sandboxId: "", containerName: info.Name.replace(/^\//, ""), restartCount: 0 };
    const state = containerStateOf(info.State, info.Created);
    const file = labels[LABEL_TERMINATION_MESSAGE_FILE];
    if (state.state === "exited" && file) {
      const message = await readFile(file).then((b) => b.subarray(0, MAX_TERMINATION_MESSAGE_BYTES).toString("utf8"), () => "");
      if (message) state.message = message;
    }
    return {
      ...who,
      ...state,
      id: info.Id,
      containerID: `docker://${info.Id}`,
      image: labels[LABEL_IMAGE] || info.Config.Image,
      imageID: await this.imageIdOf(docker, info.Image),
      labels,
    };
  }

  private async imageIdOf(docker: Docker, imageId: string): Promise<string> {
    const cached = this.imageIds.get(imageId);
    if (cached) return cached;
    const digests = await docker.getImage(imageId).inspect().then((i) => i.RepoDigests, () => undefined);
    const id = imageIDFor(imageId, digests);
    this.imageIds.set(imageId, id);
    return id;
  }

  /** Wraps a hijacked connection as a StreamSession: demultiplexed output, stdin that half-closes. */
  private session(
    socket: Duplex,
    o: { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean; resize: StreamSession["resize"]; exitCode: Promise<number> },
  ): StreamSession {
    let stdout: PassThrough | null = null;
    let stderr: PassThrough | null = null;
    if (o.tty) {
      stdout = pipeEnding(socket, new PassThrough());
    } else {
      const d = demux(socket, { merged: false });
      stdout = d.stdout;
      stderr = d.stderr;
    }
    if (!o.stdout && stdout) stdout.resume();
    if ((!o.stderr || o.tty) && stderr) stderr.resume();
    const stdin = o.stdin
      ? new Writable({
          write(chunk, _enc, done) {
            if (socket.destroyed) return done();
            socket.write(chunk, () => done());
          },
          final(done) {
            // Half-close: the engine then closes the process's stdin, the output keeps flowing.
            socket.end();
            done();
          },
        })
      : null;
    return {
      stdin,
      stdout: o.stdout ? stdout : null,
      stderr: o.stderr && !o.tty ? stderr : null,
      resize: o.resize,
      exitCode: o.exitCode,
      close: () => socket.destroy(),
    };
  }
}
