/**
 * Image references and image IDs in the forms the kubelet reports.
 */

/**
 * Splits an image reference into repository and tag/digest. Without either, the tag is `latest`
 * (Docker would otherwise pull every tag).
 *
 * @example parseImageReference("registry:5000/app") // { repository: "registry:5000/app", tag: "latest" }
 * @example parseImageReference("busybox@sha256:ab…") // { repository: "busybox", digest: "sha256:ab…" }
 */
export function parseImageReference(ref: string): { repository: string; tag?: string; digest?: string } {
  const at = ref.indexOf("@");
  if (at >= 0) return { repository: ref.slice(0, at), digest: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(":");
  // A colon before the last slash belongs to a registry host:port, not to a tag.
  if (colon > ref.lastIndexOf("/")) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref, tag: "latest" };
}

/**
 * The reference to pull: tag or digest made explicit.
 *
 * @example pullReference("busybox") === "busybox:latest"
 */
export function pullReference(ref: string): string {
  const r = parseImageReference(ref);
  return r.digest ? `${r.repository}@${r.digest}` : `${r.repository}:${r.tag}`;
}

/**
 * `ContainerStatus.imageID` as dockershim reported it: `docker-pullable://repo@sha256:…` when the
 * image came from a registry (has a repo digest), else `docker://sha256:…` (built or imported).
 *
 * @example imageIDFor("sha256:1a2b", ["busybox@sha256:9f8e"]) === "docker-pullable://busybox@sha256:9f8e"
 */
export function imageIDFor(id: string, repoDigests: string[] | undefined): string {
  const digest = repoDigests?.[0];
  return digest ? `docker-pullable://${digest}` : `docker://${id}`;
}
