/**
 * The pod's volumes on the host and each container's mounts of them: emptyDir and hostPath through
 * the runtime, ConfigMap, Secret and downwardAPI volumes as files the kubelet writes under the pod's
 * directory (`<root>/pods/<uid>/volumes/kubernetes.io~<plugin>/<name>`, as upstream lays them out).
 */
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";
import type { ConfigMap, Container, KeyToPath, Pod, Secret, Volume } from "kubernetes-types/core/v1.js";
import type { ApiClient } from "../../../shared/client/types.js";
import type { ContainerMount, ContainerRuntime, MountSource } from "../runtime/types.js";
import { fieldPathValue } from "./env.js";

const CONFIGMAPS = { group: "", plural: "configmaps" };
const SECRETS = { group: "", plural: "secrets" };
/** Upstream's default file mode of projected files (0644). */
const DEFAULT_FILE_MODE = 0o644;

/** A volume that cannot be set up: the pod waits in ContainerCreating with a FailedMount event. */
export class MountError extends Error {}

/** Where a file-backed volume of a pod lives. */
export function volumeDir(rootDir: string, podUid: string, plugin: string, name: string): string {
  return join(rootDir, "pods", podUid, "volumes", `kubernetes.io~${plugin}`, name);
}

async function writeFiles(dir: string, files: Map<string, { content: Buffer | string; mode?: number }>): Promise<void> {
  // Rewritten in place on each sync; a key removed from the source disappears.
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o755 });
  for (const [rel, f] of files) {
    const path = normalize(join(dir, rel));
    if (!path.startsWith(dir)) throw new MountError(`invalid path ${rel}: must not escape the volume`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.content);
    await chmod(path, f.mode ?? DEFAULT_FILE_MODE);
  }
}

function keyedFiles(data: Record<string, Buffer | string>, items: KeyToPath[] | undefined, defaultMode: number | undefined, what: string, optional: boolean): Map<string, { content: Buffer | string; mode?: number }> {
  const files = new Map<string, { content: Buffer | string; mode?: number }>();
  if (items?.length) {
    for (const it of items) {
      const v = data[it.key];
      if (v === undefined) {
        if (optional) continue;
        throw new MountError(`configmap or secret ${what}: key "${it.key}" not found`);
      }
      files.set(it.path, { content: v, mode: it.mode ?? defaultMode });
    }
  } else {
    for (const [k, v] of Object.entries(data)) files.set(k, { content: v, mode: defaultMode });
  }
  return files;
}

/**
 * Sets up every volume of the pod and returns its host source by volume name.
 *
 * @example const sources = await preparePodVolumes({ runtime, client, rootDir }, pod, { podIP, hostIP });
 */
export async function preparePodVolumes(
  deps: { runtime: ContainerRuntime; client: ApiClient; rootDir: string },
  pod: Pod,
  ips: { podIP: string; hostIP: string },
): Promise<Map<string, MountSource>> {
  const uid = pod.metadata!.uid!;
  const ns = pod.metadata?.namespace ?? "default";
  const out = new Map<string, MountSource>();
  for (const v of pod.spec?.volumes ?? []) out.set(v.name, await prepareVolume(deps, pod, uid, ns, v, ips));
  return out;
}

async function prepareVolume(
  deps: { runtime: ContainerRuntime; client: ApiClient; rootDir: string },
  pod: Pod,
  uid: string,
  ns: string,
  v: Volume,
  ips: { podIP: string; hostIP: string },
): Promise<MountSource> {
  if (v.emptyDir) return deps.runtime.emptyDir(uid, v.name, { medium: v.emptyDir.medium, sizeLimit: v.emptyDir.sizeLimit as string | undefined });
  if (v.hostPath) {
    try {
      return await deps.runtime.hostPath(v.hostPath.path, v.hostPath.type);
    } catch (err) {
      throw new MountError(`MountVolume.SetUp failed for volume "${v.name}" : ${(err as Error).message}`);
    }
  }
  if (v.configMap) {
    const name = v.configMap.name ?? "";
    const cm = (await deps.client.get(CONFIGMAPS, ns, name).catch(() => undefined)) as ConfigMap | undefined;
    if (!cm && !v.configMap.optional) throw new MountError(`MountVolume.SetUp failed for volume "${v.name}" : configmap "${name}" not found`);
    const data: Record<string, Buffer | string> = { ...(cm?.data ?? {}) };
    for (const [k, b] of Object.entries(cm?.binaryData ?? {})) data[k] = Buffer.from(b, "base64");
    const dir = volumeDir(deps.rootDir, uid, "configmap", v.name);
    await writeFiles(dir, keyedFiles(data, v.configMap.items, v.configMap.defaultMode, `${ns}/${name}`, !!v.configMap.optional));
    return { type: "bind", path: dir };
  }
  if (v.secret) {
    const name = v.secret.secretName ?? "";
    const s = (await deps.client.get(SECRETS, ns, name).catch(() => undefined)) as Secret | undefined;
    if (!s && !v.secret.optional) throw new MountError(`MountVolume.SetUp failed for volume "${v.name}" : secret "${name}" not found`);
    const data: Record<string, Buffer | string> = {};
    for (const [k, b] of Object.entries(s?.data ?? {})) data[k] = Buffer.from(b, "base64");
    const dir = volumeDir(deps.rootDir, uid, "secret", v.name);
    await writeFiles(dir, keyedFiles(data, v.secret.items, v.secret.defaultMode, `${ns}/${name}`, !!v.secret.optional));
    return { type: "bind", path: dir };
  }
  if (v.downwardAPI) {
    const files = new Map<string, { content: string; mode?: number }>();
    for (const it of v.downwardAPI.items ?? []) {
      if (!it.fieldRef) continue;
      const path = it.fieldRef.fieldPath;
      const m = pod.metadata ?? {};
      const content = path === "metadata.labels" || path === "metadata.annotations"
        ? Object.entries((path === "metadata.labels" ? m.labels : m.annotations) ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, val]) => `${k}=${JSON.stringify(val)}`).join("\n")
        : fieldPathValue({ pod, ...ips }, path);
      files.set(it.path, { content, mode: it.mode ?? v.downwardAPI.defaultMode });
    }
    const dir = volumeDir(deps.rootDir, uid, "downward-api", v.name);
    await writeFiles(dir, files);
    return { type: "bind", path: dir };
  }
  throw new MountError(`MountVolume.SetUp failed for volume "${v.name}" : volume type not supported by kube-lite's kubelet`);
}

/**
 * The container's mounts from its volumeMounts; `subPath` selects a directory inside a bind source.
 *
 * @example await containerMounts(container, sources) // [{ source: { type: "bind", path }, containerPath: "/data" }]
 */
export async function containerMounts(container: Container, sources: Map<string, MountSource>): Promise<ContainerMount[]> {
  const mounts: ContainerMount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const src = sources.get(vm.name);
    if (!src) throw new MountError(`volume "${vm.name}" of container "${container.name}" is not defined in the pod`);
    let source = src;
    if (vm.subPath) {
      if (src.type !== "bind") throw new MountError(`subPath is not supported for volume "${vm.name}" (memory-backed emptyDir)`);
      const path = normalize(join(src.path, vm.subPath));
      if (!path.startsWith(src.path)) throw new MountError(`subPath "${vm.subPath}" must not escape the volume`);
      await mkdir(path, { recursive: true, mode: 0o777 });
      source = { type: "bind", path };
    }
    const m: ContainerMount = { source, containerPath: vm.mountPath };
    if (vm.readOnly) m.readOnly = true;
    if (vm.mountPropagation) m.propagation = vm.mountPropagation as ContainerMount["propagation"];
    mounts.push(m);
  }
  return mounts;
}
