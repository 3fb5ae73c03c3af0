/**
 * Image operations on the Docker engine: presence, pull, and air-gap tarball import.
 */
import { createReadStream } from "node:fs";
import { stat } from "../../fs-async.js";
import { Transform } from "node:stream";
import type Docker from "dockerode";
import type { ImportProgress, RegistryAuth } from "../runtime/types.js";
import type { ImageBackend } from "./ensure.js";
import { readProgress } from "./json-progress.js";
import { pullReference } from "./reference.js";

/** Compressions `docker load` itself understands; others (zstd, lz4) must be unpacked first. */
const LOADABLE_EXTENSIONS = [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".docker"];

/** True when dockerode's error is the engine's 404. */
export function isNotFound(err: unknown): boolean {
  return !!err && typeof err === "object" && (err as { statusCode?: number }).statusCode === 404;
}

/**
 * An `ImageBackend` over a Docker engine.
 *
 * @example await ensureImage(dockerImageBackend(docker), "busybox", "IfNotPresent");
 */
export function dockerImageBackend(docker: Docker): ImageBackend {
  return {
    async imageId(image) {
      try {
        return (await docker.getImage(image).inspect()).Id;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async pull(image, auth?: RegistryAuth) {
      const stream = (await docker.pull(pullReference(image), auth ? { authconfig: auth } : {})) as NodeJS.ReadableStream;
      await readProgress(stream as unknown as import("node:stream").Readable);
    },
  };
}

/** True when `path` names a file `docker load` accepts. */
export function isImageTarball(path: string): boolean {
  return LOADABLE_EXTENSIONS.some((ext) => path.endsWith(ext));
}

/**
 * Loads an image tarball (`docker save` format, optionally gzip/bzip2/xz compressed) into the
 * engine, reporting bytes read; resolves with the names the engine loaded.
 *
 * @example const names = await importImageTarball(docker, "/var/lib/kube-lite/agent/images/app.tar",
 *            (p) => console.log(`${Math.round((100 * p.bytesRead) / p.totalBytes)}%`));
 */
export async function importImageTarball(docker: Docker, path: string, progress?: (p: ImportProgress) => void): Promise<string[]> {
  if (!isImageTarball(path)) throw new Error(`${path}: not an image tarball (expected one of ${LOADABLE_EXTENSIONS.join(", ")})`);
  const totalBytes = (await stat(path)).size;
  let bytesRead = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytesRead += chunk.length;
      progress?.({ bytesRead, totalBytes });
      done(null, chunk);
    },
  });
  const file = createReadStream(path);
  file.on("error", (err) => counter.destroy(err));
  file.pipe(counter);
  const response = (await docker.loadImage(counter as unknown as string, { quiet: false })) as unknown as import("node:stream").Readable;
  const messages = await readProgress(response);
  const loaded: string[] = [];
  for (const m of messages) {
    const match = /^Loaded image(?: ID)?: (.+)$/.exec((m.stream ?? "").trim());
    if (match) loaded.push(match[1]!);
  }
  if (!loaded.length) throw new Error(`${path}: the engine loaded no image (${messages.map((m) => m.stream ?? m.status).join(" ").trim() || "no output"})`);
  return loaded;
}
