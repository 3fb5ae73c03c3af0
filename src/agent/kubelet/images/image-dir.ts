/**
 * Air-gap images: tarballs placed in the agent's images directory (`DATA/agent/images/`) are
 * imported at start and whenever new ones appear. A small record of what was imported (file
 * name, size, mtime, image names) avoids re-loading hundreds of megabytes on every start — an SD
 * card's life is finite — while an image someone removed from the engine is loaded again.
 */
import { watch, type FSWatcher } from "node:fs";
import { readdir, readFile, rename, stat, writeFile } from "../../fs-async.js";
import { join } from "node:path";
import type { ImportProgress } from "../runtime/types.js";
import { isImageTarball } from "./docker-images.js";

/** Record file inside the images directory (dot-named, so it is never taken for a tarball). */
export const IMPORT_RECORD_FILE = ".kube-lite-imported.json";
/** A file still growing (being copied in) is imported only once its size holds this long. */
export const SETTLE_MS = 1000;
/** Changes in the directory often come in bursts (a copy writes many times): one scan per burst. */
const WATCH_DEBOUNCE_MS = 300;

interface RecordEntry {
  size: number;
  mtimeMs: number;
  images: string[];
}

export interface ImageDirOptions {
  dir: string;
  importTarball(path: string, progress?: (p: ImportProgress) => void): Promise<string[]>;
  /** Whether the engine still has an image (so a removed one is imported again). */
  imagePresent(name: string): Promise<boolean>;
  /** Progress of each file, for a person watching the log. */
  progress?(file: string, p: ImportProgress): void;
  /** How long a file's size must hold before it is imported (tests shorten it). */
  settleMs?: number;
}

export interface ImportOutcome {
  file: string;
  images?: string[];
  /** Already imported and still present. */
  skipped?: boolean;
  error?: string;
}

async function readRecord(dir: string): Promise<Record<string, RecordEntry>> {
  try {
    return JSON.parse(await readFile(join(dir, IMPORT_RECORD_FILE), "utf8")) as Record<string, RecordEntry>;
  } catch {
    return {};
  }
}

async function writeRecord(dir: string, record: Record<string, RecordEntry>): Promise<void> {
  const tmp = join(dir, `${IMPORT_RECORD_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(record, null, 1));
  await rename(tmp, join(dir, IMPORT_RECORD_FILE));
}

/**
 * Imports every tarball in the directory that is new, changed, or whose images left the engine.
 * One failing file does not stop the others; its error is in the outcome.
 *
 * @example const outcomes = await importImageDirectory({ dir, importTarball: (p, cb) => runtime.importImageTarball(p, cb),
 *            imagePresent: async (n) => !!(await runtime.ensureImage(n, "Never").catch(() => undefined)) });
 */
export async function importImageDirectory(opts: ImageDirOptions): Promise<ImportOutcome[]> {
  const names = await readdir(opts.dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [] as string[];
    throw err;
  });
  const record = await readRecord(opts.dir);
  const outcomes: ImportOutcome[] = [];
  const settle = opts.settleMs ?? SETTLE_MS;
  for (const name of names.sort()) {
    if (name.startsWith(".") || !isImageTarball(name)) continue;
    const path = join(opts.dir, name);
    try {
      let info = await stat(path);
      if (!info.isFile()) continue;
      const known = record[name];
      if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) {
        const present = await Promise.all(known.images.map((i) => opts.imagePresent(i)));
        if (present.every(Boolean)) {
          outcomes.push({ file: name, skipped: true });
          continue;
        }
      }
      // Still being copied in? Wait until the size holds.
      for (;;) {
        await new Promise((r) => setTimeout(r, settle));
        const again = await stat(path);
        if (again.size === info.size && again.mtimeMs === info.mtimeMs) break;
        info = again;
      }
      const images = await opts.importTarball(path, opts.progress ? (p) => opts.progress!(name, p) : undefined);
      record[name] = { size: info.size, mtimeMs: info.mtimeMs, images };
      await writeRecord(opts.dir, record);
      outcomes.push({ file: name, images });
    } catch (err) {
      outcomes.push({ file: name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return outcomes;
}

/**
 * Imports the directory now and again whenever files appear in it; `stop()` ends the watch.
 * Scans never overlap: a change during a scan schedules one more scan after it.
 *
 * @example const w = watchImageDirectory(opts, (outcomes) => outcomes.forEach((o) => log.info(o, "image tarball")));
 *          … w.stop();
 */
export function watchImageDirectory(opts: ImageDirOptions, onScan: (outcomes: ImportOutcome[]) => void, onError?: (err: unknown) => void): { stop(): void; idle(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let again = false;
  let scanning = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const scan = () => {
    if (stopped) return;
    if (scanning) {
      again = true;
      return;
    }
    scanning = true;
    running = importImageDirectory(opts)
      .then(onScan, (err) => onError?.(err))
      .finally(() => {
        scanning = false;
        if (again && !stopped) {
          again = false;
          scan();
        }
      });
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(opts.dir, () => {
      clearTimeout(timer);
      timer = setTimeout(scan, WATCH_DEBOUNCE_MS);
    });
    watcher.on("error", (err) => onError?.(err));
  } catch (err) {
    onError?.(err);
  }
  scan();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      watcher?.close();
    },
    /** Resolves when no scan is running (tests). */
    async idle() {
      while (scanning || again) await running.catch(() => undefined);
      await running.catch(() => undefined);
    },
  };
}
