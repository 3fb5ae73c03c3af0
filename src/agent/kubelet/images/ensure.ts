/**
 * `ensureImage`: makes an image available according to the container's `imagePullPolicy`, with
 * kube-lite's air-gap default.
 *
 * Deliberate difference from upstream: when a pull fails because no registry is reachable (a
 * network error, not an auth or not-found answer) and the image is present locally, the local
 * image is used — even for `Always` or `:latest` — and the caller gets a warning to record as a
 * Warning event. Edge sites lose their uplink; their pods must still start.
 */
import type { EnsureImageResult, ImagePullPolicy, RegistryAuth } from "../runtime/types.js";
import { classifyPullError, engineMessage } from "./pull-errors.js";

/** The image operations `ensureImage` needs, so the decision logic is testable without Docker. */
export interface ImageBackend {
  /** The local image's ID, or `undefined` when it is not present. */
  imageId(image: string): Promise<string | undefined>;
  /** Pulls the image; rejects with the engine's error. */
  pull(image: string, auth?: RegistryAuth): Promise<void>;
}

export type ImagePullReason = "ErrImagePull" | "ErrImageNeverPull" | "InvalidImageName";

/** A failure the kubelet shows as the container's waiting reason and message. */
export class ImagePullError extends Error {
  constructor(readonly reason: ImagePullReason, message: string, readonly failure?: string) {
    super(message);
    this.name = "ImagePullError";
  }
}

/** What to tell a person who has no registry: how kube-lite gets images onto a node without one. */
const AIR_GAP_HINT = 'import it with "kube-lite image import FILE" or place an image tarball in the agent\'s images directory';

/**
 * Makes `image` present per `policy`; returns the image ID to create the container from.
 *
 * @example const { imageRef, warning } = await ensureImage(backend, "nginx:1.25", "IfNotPresent");
 *          if (warning) recordEvent("Warning", "Pulled", warning);
 */
export async function ensureImage(backend: ImageBackend, image: string, policy: ImagePullPolicy, auth?: RegistryAuth): Promise<EnsureImageResult> {
  if (!image || /\s/.test(image)) throw new ImagePullError("InvalidImageName", `Failed to apply default image tag "${image}": invalid reference format`);
  const local = await backend.imageId(image);
  if (policy === "Never") {
    if (local) return { imageRef: local, pulled: false };
    throw new ImagePullError("ErrImageNeverPull", `Container image "${image}" is not present with pull policy of Never`);
  }
  if (policy === "IfNotPresent" && local) return { imageRef: local, pulled: false };
  try {
    await backend.pull(image, auth);
  } catch (err) {
    const failure = classifyPullError(err);
    const detail = engineMessage(err);
    if (failure === "unreachable") {
      if (local) {
        return {
          imageRef: local,
          pulled: false,
          warning: `Failed to pull image "${image}": no registry reachable (${detail}); using the image present on the node (${local}) instead`,
        };
      }
      throw new ImagePullError("ErrImagePull", `Failed to pull image "${image}": no registry reachable and the image is not present on the node; ${AIR_GAP_HINT} (${detail})`, failure);
    }
    throw new ImagePullError("ErrImagePull", `Failed to pull image "${image}": ${detail}`, failure);
  }
  const pulled = await backend.imageId(image);
  if (!pulled) throw new ImagePullError("ErrImagePull", `Failed to pull image "${image}": the engine reported success but the image is not present`);
  return { imageRef: pulled, pulled: true };
}
