// The air-gap images directory: tarballs imported once, re-imported when changed or when their
// images left the engine, failures isolated per file, new files picked up by the watcher.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, existsSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { progressLine } from "../../src/agent/kubelet/images/import-command.js";
import { importImageDirectory, watchImageDirectory, IMPORT_RECORD_FILE, type ImageDirOptions } from "../../src/agent/kubelet/images/image-dir.js";

/** An engine fake: records imports, "loads" the image named by the file's content. */
function engine(dir: string) {
  const present = new Set<string>();
  const imported: string[] = [];
  const opts: ImageDirOptions = {
    dir,
    settleMs: 10,
    async importTarball(path, progress) {
      const name = path.split("/").pop()!;
      if (name.startsWith("broken")) throw new Error("archive/tar: invalid tar header");
      imported.push(name);
      progress?.({ bytesRead: 5, totalBytes: 5 });
      const image = `local/${name.replace(/\..*$/, "")}:1`;
      present.add(image);
      return [image];
    },
    async imagePresent(name) {
      return present.has(name);
    },
  };
  return { opts, present, imported };
}

test("imports new tarballs once, again when changed or removed from the engine", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kube-lite-imgdir-"));
  try {
    writeFileSync(join(dir, "app.tar"), "aaaaa");
    writeFileSync(join(dir, "db.tar.gz"), "bbbbb");
    writeFileSync(join(dir, "notes.txt"), "ignored");
    writeFileSync(join(dir, "broken.tar"), "x");
    const e = engine(dir);
    const progress: string[] = [];
    const first = await importImageDirectory({ ...e.opts, progress: (f, p) => progress.push(`${f}:${p.bytesRead}/${p.totalBytes}`) });
    assert.deepEqual(first, [
      { file: "app.tar", images: ["local/app:1"] },
      { file: "broken.tar", error: "archive/tar: invalid tar header" },
      { file: "db.tar.gz", images: ["local/db:1"] },
    ]);
    assert.deepEqual(progress, ["app.tar:5/5", "db.tar.gz:5/5"]);
    assert.ok(existsSync(join(dir, IMPORT_RECORD_FILE)));

    const second = await importImageDirectory(e.opts);
    assert.deepEqual(second.filter((o) => o.skipped).map((o) => o.file), ["app.tar", "db.tar.gz"]);
    assert.deepEqual(e.imported, ["app.tar", "db.tar.gz"]);

    e.present.delete("local/db:1");
    writeFileSync(join(dir, "app.tar"), "aaaaaa");
    utimesSync(join(dir, "app.tar"), new Date(), new Date(Date.now() + 5000));
    const third = await importImageDirectory(e.opts);
    assert.deepEqual(third.filter((o) => o.images).map((o) => o.file), ["app.tar", "db.tar.gz"]);
    assert.deepEqual(e.imported, ["app.tar", "db.tar.gz", "app.tar", "db.tar.gz"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("progress lines for a person", () => {
  assert.equal(progressLine("app.tar", { bytesRead: 5 * 2 ** 20, totalBytes: 10 * 2 ** 20 }), "app.tar: 50% (5.0/10.0 MiB)");
  assert.equal(progressLine("empty.tar", { bytesRead: 0, totalBytes: 0 }), "empty.tar: 100% (0.0/0.0 MiB)");
});

test("a missing directory is nothing to import", async () => {
  const e = engine(join(tmpdir(), "kube-lite-no-such-dir-" + process.pid));
  assert.deepEqual(await importImageDirectory(e.opts), []);
});

test("the watcher imports tarballs that appear later", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kube-lite-imgdir-"));
  const e = engine(dir);
  const scans: string[][] = [];
  const w = watchImageDirectory(e.opts, (o) => scans.push(o.filter((x) => x.images).map((x) => x.file)));
  try {
    await w.idle();
    writeFileSync(join(dir, "late.tar"), "ccccc");
    const deadline = Date.now() + 5000;
    while (!e.imported.includes("late.tar") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await w.idle();
    assert.deepEqual(e.imported, ["late.tar"]);
    assert.ok(scans.some((s) => s.includes("late.tar")));
  } finally {
    w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
