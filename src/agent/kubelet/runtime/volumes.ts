/**
 * Host sides of the pod volumes the runtime shares between a pod's containers, laid out as the
 * kubelet lays them out: `<root>/pods/<uid>/volumes/kubernetes.io~empty-dir/<name>`.
 */
import { mkdir, stat, writeFile } from "../../fs-async.js";
import { join } from "node:path";
import type { MountSource } from "./types.js";

/** emptyDir directories are world-writable, as upstream, so any container user can use them. */
const EMPTY_DIR_MODE = 0o777;

/** The directory holding everything the agent keeps for one pod. */
export function podDir(rootDir: string, podUid: string): string {
  return join(rootDir, "pods", podUid);
}

/**
 * Creates (idempotently) the host directory of a disk-backed emptyDir.
 *
 * @example const src = await diskEmptyDir("/var/lib/kube-lite/agent", uid, "cache"); // { type: "bind", path }
 */
export async function diskEmptyDir(rootDir: string, podUid: string, volumeName: string): Promise<MountSource> {
  const path = join(podDir(rootDir, podUid), "volumes", "kubernetes.io~empty-dir", volumeName);
  await mkdir(path, { recursive: true, mode: EMPTY_DIR_MODE });
  return { type: "bind", path };
}

export type HostPathType = "" | "DirectoryOrCreate" | "Directory" | "FileOrCreate" | "File" | "Socket" | "CharDevice" | "BlockDevice";

/**
 * Checks (and for the *OrCreate types, creates) a hostPath volume's path per its `type`, as upstream.
 *
 * @example await hostPathSource("/var/log", "Directory") // { type: "bind", path: "/var/log" }
 */
export async function hostPathSource(path: string, type: HostPathType | undefined): Promise<MountSource> {
  const kind = type ?? "";
  const info = await stat(path).catch(() => undefined);
  const fail = (what: string) => {
    throw new Error(`hostPath type check failed: ${path} is not a ${what}`);
  };
  switch (kind) {
    case "DirectoryOrCreate":
      if (!info) await mkdir(path, { recursive: true, mode: 0o755 });
      else if (!info.isDirectory()) fail("directory");
      break;
    case "Directory":
      if (!info?.isDirectory()) fail("directory");
      break;
    case "FileOrCreate":
      if (!info) await writeFile(path, "", { mode: 0o644, flag: "a" });
      else if (!info.isFile()) fail("file");
      break;
    case "File":
      if (!info?.isFile()) fail("file");
      break;
    case "Socket":
      if (!info?.isSocket()) fail("socket");
      break;
    case "CharDevice":
      if (!info?.isCharacterDevice()) fail("character device");
      break;
    case "BlockDevice":
      if (!info?.isBlockDevice()) fail("block device");
      break;
    case "":
      break;
  }
  return { type: "bind", path };
}
