/**
 * Translates a pod container (`ContainerConfig`) into Docker's create options. Pure: no Docker
 * calls, so every rule here is unit-tested.
 *
 * Kubernetes `command`/`args` vs Docker `Entrypoint`/`Cmd`:
 *   - neither: the image's ENTRYPOINT and CMD run;
 *   - command only: the command runs alone, the image's CMD is ignored (Docker drops the image's
 *     CMD whenever Entrypoint is set, which is exactly that);
 *   - args only: the image's ENTRYPOINT runs with the args in place of its CMD;
 *   - both: command with args.
 * `$(VAR)` references in command, args and env values expand from the container's env first.
 */
import type Docker from "dockerode";
import type { SecurityContext, PodSecurityContext } from "kubernetes-types/core/v1.js";
import type { ContainerConfig, ContainerMount, EnvVar, PodSandboxConfig } from "./types.js";
import { dockerResources } from "./resources.js";
import {
  LABEL_CONTAINER_NAME, LABEL_CONTAINER_PORTS, LABEL_IMAGE, LABEL_NODE, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID,
  LABEL_RESTART_COUNT, LABEL_SANDBOX_ID, LABEL_TERMINATION_MESSAGE_FILE, LABEL_TERMINATION_MESSAGE_PATH, LABEL_TYPE,
  TYPE_CONTAINER, containerName,
} from "./labels.js";

/**
 * Container log rotation, as the kubelet's defaults (containerLogMaxSize 10Mi, containerLogMaxFiles
 * 5): Docker's json-file driver otherwise grows without bound, and an SD card fills up.
 */
export const CONTAINER_LOG_MAX_SIZE = "10m";
export const CONTAINER_LOG_MAX_FILES = "5";

/** Upstream's default `terminationMessagePath`. */
export const DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";

/**
 * Expands `$(VAR)` from `env` as upstream's `expansion.Expand`: `$$` escapes a `$`, and a
 * reference to an unknown variable stays as written.
 *
 * @example expandVars("echo $(GREETING) $$(HOME)", { GREETING: "hi" }) === "echo hi $(HOME)"
 */
export function expandVars(input: string, env: Record<string, string>): string {
  let out = "";
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== "$" || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      out += "$";
      i++;
    } else if (next === "(") {
      const close = input.indexOf(")", i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      out += Object.prototype.hasOwnProperty.call(env, name) ? env[name] : `$(${name})`;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

/** Env values expand in order: each may use the variables declared before it. */
export function expandEnv(env: EnvVar[]): EnvVar[] {
  const seen: Record<string, string> = {};
  const out: EnvVar[] = [];
  for (const e of env) {
    const value = expandVars(e.value, seen);
    seen[e.name] = value;
    out.push({ name: e.name, value });
  }
  return out;
}

/**
 * The Docker `User` for a container: runAsUser (container over pod), with runAsGroup when set.
 * Like upstream, a group without a user keeps the image's user.
 *
 * @example dockerUser({ runAsUser: 1000 }, { runAsGroup: 3000 }) === "1000:3000"
 */
export function dockerUser(sc: SecurityContext | undefined, psc: PodSecurityContext | undefined): string | undefined {
  const uid = sc?.runAsUser ?? psc?.runAsUser;
  const gid = sc?.runAsGroup ?? psc?.runAsGroup;
  if (uid === undefined) return undefined;
  return gid === undefined ? String(uid) : `${uid}:${gid}`;
}

function dockerMount(m: ContainerMount): Docker.MountSettings {
  const propagation = m.propagation === "Bidirectional" ? "rshared" : m.propagation === "HostToContainer" ? "rslave" : undefined;
  if (m.source.type === "volume") {
    return { Type: "volume", Source: m.source.name, Target: m.containerPath, ReadOnly: m.readOnly ?? false };
  }
  return {
    Type: "bind",
    Source: m.source.path,
    Target: m.containerPath,
    ReadOnly: m.readOnly ?? false,
    ...(propagation ? { BindOptions: { Propagation: propagation } } : {}),
  };
}

export interface CreateContext {
  nodeName: string;
  sandboxId: string;
  sandbox: PodSandboxConfig;
  /** Host file bind-mounted at the termination message path. */
  terminationMessageFile: string;
}

/**
 * Docker create options for one container of a pod: joins the sandbox's network and IPC (and PID
 * with `shareProcessNamespace`), carries the identity labels used for adoption.
 *
 * @example const opts = containerCreateOptions(config, { nodeName, sandboxId, sandbox, terminationMessageFile });
 *          await docker.createContainer(opts);
 */
export function containerCreateOptions(c: ContainerConfig, ctx: CreateContext): Docker.ContainerCreateOptions {
  const env = expandEnv(c.env ?? []);
  const envMap = Object.fromEntries(env.map((e) => [e.name, e.value]));
  const sc = c.securityContext;
  const psc = c.podSecurityContext;
  const res = dockerResources(c.resources);
  const terminationPath = c.terminationMessagePath || DEFAULT_TERMINATION_MESSAGE_PATH;
  const groups = [...(psc?.supplementalGroups ?? []), ...(psc?.fsGroup !== undefined ? [psc.fsGroup] : [])].map(String);
  const securityOpt: string[] = [];
  if (sc?.allowPrivilegeEscalation === false) securityOpt.push("no-new-privileges");
  const labels: Record<string, string> = {
    ...(c.labels ?? {}),
    [LABEL_TYPE]: TYPE_CONTAINER,
    [LABEL_NODE]: ctx.nodeName,
    [LABEL_POD_UID]: ctx.sandbox.podUid,
    [LABEL_POD_NAMESPACE]: ctx.sandbox.namespace,
    [LABEL_POD_NAME]: ctx.sandbox.name,
    [LABEL_CONTAINER_NAME]: c.name,
    [LABEL_IMAGE]: c.image,
    [LABEL_RESTART_COUNT]: String(c.restartCount),
    [LABEL_SANDBOX_ID]: ctx.sandboxId,
    [LABEL_TERMINATION_MESSAGE_PATH]: terminationPath,
    [LABEL_TERMINATION_MESSAGE_FILE]: ctx.terminationMessageFile,
  };
  if (c.ports?.length) labels[LABEL_CONTAINER_PORTS] = JSON.stringify(c.ports);
  const namespaceOf = `container:${ctx.sandboxId}`;
  const hostConfig: Docker.HostConfig = {
    NetworkMode: ctx.sandbox.hostNetwork ? "host" : namespaceOf,
    IpcMode: namespaceOf,
    ...(ctx.sandbox.shareProcessNamespace ? { PidMode: namespaceOf } : {}),
    Mounts: [
      ...(c.mounts ?? []).map(dockerMount),
      { Type: "bind", Source: ctx.terminationMessageFile, Target: terminationPath, ReadOnly: false },
    ],
    ...res,
    Privileged: sc?.privileged ?? false,
    ReadonlyRootfs: sc?.readOnlyRootFilesystem ?? false,
    ...(sc?.capabilities?.add?.length ? { CapAdd: sc.capabilities.add } : {}),
    ...(sc?.capabilities?.drop?.length ? { CapDrop: sc.capabilities.drop } : {}),
    ...(groups.length ? { GroupAdd: groups } : {}),
    ...(securityOpt.length ? { SecurityOpt: securityOpt } : {}),
    ...(c.oomScoreAdj !== undefined ? { OomScoreAdj: c.oomScoreAdj } : {}),
    // The kubelet restarts containers itself (restartPolicy, back-off); Docker must not.
    RestartPolicy: { Name: "no" },
    LogConfig: { Type: "json-file", Config: { "max-size": CONTAINER_LOG_MAX_SIZE, "max-file": CONTAINER_LOG_MAX_FILES } },
  };
  const user = dockerUser(sc, psc);
  const opts: Docker.ContainerCreateOptions = {
    name: containerName(c.name, ctx.sandbox.name, ctx.sandbox.namespace, ctx.sandbox.podUid, c.restartCount),
    Image: c.imageRef || c.image,
    Env: env.map((e) => `${e.name}=${e.value}`),
    Labels: labels,
    Tty: c.tty ?? false,
    OpenStdin: c.stdin ?? false,
    StdinOnce: c.stdinOnce ?? false,
    AttachStdin: c.stdin ?? false,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: hostConfig,
  };
  if (user !== undefined) opts.User = user;
  if (c.workingDir) opts.WorkingDir = c.workingDir;
  if (c.command?.length) opts.Entrypoint = c.command.map((s) => expandVars(s, envMap));
  if (c.args?.length) opts.Cmd = c.args.map((s) => expandVars(s, envMap));
  else if (c.command?.length) opts.Cmd = [];
  return opts;
}
