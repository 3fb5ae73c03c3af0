/**
 * `kube-lite image import FILE…`: loads air-gap image tarballs into the local Docker engine,
 * showing progress to a person. The CLI parses arguments and calls `runImageImport`.
 */
import { basename } from "node:path";
import { connectDocker, type DockerConnection } from "../runtime/docker-client.js";
import { importImageTarball } from "./docker-images.js";
import type { ImportProgress } from "../runtime/types.js";

/** At most one progress line per file per this interval: readable on a terminal and in a log. */
const PROGRESS_INTERVAL_MS = 1000;

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

/**
 * A progress line: `app.tar: 45% (12.3/27.0 MiB)`.
 *
 * @example progressLine("app.tar", { bytesRead: 5 << 20, totalBytes: 10 << 20 }) === "app.tar: 50% (5.0/10.0 MiB)"
 */
export function progressLine(file: string, p: ImportProgress): string {
  const pct = p.totalBytes ? Math.floor((100 * p.bytesRead) / p.totalBytes) : 100;
  return `${file}: ${pct}% (${mib(p.bytesRead)}/${mib(p.totalBytes)} MiB)`;
}

/**
 * Imports each file in turn; returns the process exit code (0 when every file loaded).
 *
 * @example process.exitCode = await runImageImport(argv, { write: (l) => process.stdout.write(l + "\n") });
 */
export async function runImageImport(files: string[], opts: DockerConnection & { write(line: string): void }): Promise<number> {
  if (!files.length) {
    opts.write("usage: kube-lite image import FILE… (docker save tarballs; .tar, .tar.gz, .tar.bz2, .tar.xz)");
    return 2;
  }
  const docker = await connectDocker(opts);
  let failed = 0;
  for (const file of files) {
    const name = basename(file);
    let last = 0;
    try {
      const images = await importImageTarball(docker, file, (p) => {
        const now = Date.now();
        if (now - last >= PROGRESS_INTERVAL_MS || p.bytesRead === p.totalBytes) {
          last = now;
          opts.write(progressLine(name, p));
        }
      });
      opts.write(`${name}: loaded ${images.join(", ")}`);
    } catch (err) {
      failed++;
      opts.write(`${name}: import failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return failed ? 1 : 0;
}
