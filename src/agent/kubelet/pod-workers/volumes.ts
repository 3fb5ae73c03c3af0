/**
 * The pod's volumes on the host and each container's mounts of them: emptyDir and hostPath through
 * the runtime, ConfigMap, Secret, downwardAPI and projected volumes as files the kubelet writes under the pod's
 * directory (`<root>/pods/<uid>/volumes/kubernetes.io~<plugin>/<name>`, as upstream lays them out).
 */
import { chmod, mkdir, rm, writeFile } from "../../fs-async.js";
import { dirname, join, normalize } from "node:path";
import type { ConfigMap, Container, DownwardAPIVolumeFile, KeyToPath, Pod, Secret, Volume } from "kubernetes-types/core/v1.js";
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
  const fail = (why: string) => new MountError(`MountVolume.SetUp failed for volume "${v.name}" : ${why}`);
  const ctx = { client: deps.client, pod, ns, ips, fail };
  if (v.configMap) {
    const dir = volumeDir(deps.rootDir, uid, "configmap", v.name);
    await writeFiles(dir, await configMapFiles(ctx, v.configMap, v.configMap.defaultMode));
    return { type: "bind", path: dir };
  }
  if (v.secret) {
    const dir = volumeDir(deps.rootDir, uid, "secret", v.name);
    await writeFiles(dir, await secretFiles(ctx, { ...v.secret, name: v.secret.secretName }, v.secret.defaultMode));
    return { type: "bind", path: dir };
  }
  if (v.downwardAPI) {
    const dir = volumeDir(deps.rootDir, uid, "downward-api", v.name);
    await writeFiles(dir, downwardAPIFiles(ctx, v.downwardAPI.items, v.downwardAPI.defaultMode));
    return { type: "bind", path: dir };
  }
  if (v.projected) {
    const files: FileMap = new Map();
    for (const src of v.projected.sources ?? []) {
      let part: FileMap;
      if (src.configMap) part = await configMapFiles(ctx, src.configMap, v.projected.defaultMode);
      else if (src.secret) part = await secretFiles(ctx, src.secret, v.projected.defaultMode);
      else if (src.downwardAPI) part = downwardAPIFiles(ctx, src.downwardAPI.items, v.projected.defaultMode);
      else if (src.serviceAccountToken) throw fail("serviceAccountToken projections need the TokenRequest API, which kube-lite does not serve to kubelets yet");
      else throw fail("projected source type not supported by kube-lite's kubelet");
      for (const [k, f] of part) files.set(k, f);
    }
    const dir = volumeDir(deps.rootDir, uid, "projected", v.name);
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

type FileMap = Map<string, { content: Buffer | string; mode?: number }>;

interface SourceContext {
  client: ApiClient;
  pod: Pod;
  ns: string;
  ips: { podIP: string; hostIP: string };
  fail(why: string): MountError;
}

async function configMapFiles(ctx: SourceContext, src: { name?: string; items?: KeyToPath[]; optional?: boolean }, defaultMode: number | undefined): Promise<FileMap> {
  const name = src.name ?? "";
  const cm = (await ctx.client.get(CONFIGMAPS, ctx.ns, name).catch(() => undefined)) as ConfigMap | undefined;
  if (!cm && !src.optional) throw ctx.fail(`configmap "${name}" not found`);
  const data: Record<string, Buffer | string> = { ...(cm?.data ?? {}) };
  for (const [k, b] of Object.entries(cm?.binaryData ?? {})) data[k] = Buffer.from(b, "base64");
  return keyedFiles(data, src.items, defaultMode, `${ctx.ns}/${name}`, !!src.optional);
}

async function secretFiles(ctx: SourceContext, src: { name?: string; items?: KeyToPath[]; optional?: boolean }, defaultMode: number | undefined): Promise<FileMap> {
  const name = src.name ?? "";
  const secret = (await ctx.client.get(SECRETS, ctx.ns, name).catch(() => undefined)) as Secret | undefined;
  if (!secret && !src.optional) throw ctx.fail(`secret "${name}" not found`);
  const data: Record<string, Buffer | string> = {};
  for (const [k, b] of Object.entries(secret?.data ?? {})) data[k] = Buffer.from(b, "base64");
  return keyedFiles(data, src.items, defaultMode, `${ctx.ns}/${name}`, !!src.optional);
}

/** Downward API files: labels/annotations as `key="value"` lines (sorted), other fields as their value. */
function downwardAPIFiles(ctx: SourceContext, items: DownwardAPIVolumeFile[] | undefined, defaultMode: number | undefined): FileMap {
  const files: FileMap = new Map();
  const m = ctx.pod.metadata ?? {};
  for (const it of items ?? []) {
    if (!it.fieldRef) continue;
    const path = it.fieldRef.fieldPath;
    // Keys in code-unit order, as upstream's fieldpath.FormatMap (not localeCompare: ICU collation data is 2.6 MB resident).
    const content = path === "metadata.labels" || path === "metadata.annotations"
      ? Object.entries((path === "metadata.labels" ? m.labels : m.annotations) ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, val]) => `${k}=${JSON.stringify(val)}`).join("\n")
      : fieldPathValue({ pod: ctx.pod, ...ctx.ips }, path);
    files.set(it.path, { content, mode: it.mode ?? defaultMode });
  }
  return files;
}
