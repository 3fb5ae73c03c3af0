// The single executables: builds them (reusing outputs whose inputs did not change), then runs
// the linux-x64 one natively and the linux-arm64 one under qemu-user, each as a real server
// that kubectl talks to. Skips only when the packaging prerequisites cannot be installed here.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as delay } from "node:timers/promises";
import { KUBE_LITE_VERSION } from "../../src/shared/version.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = join(ROOT, "packaging", "out");
const BUNDLE = join(ROOT, "dist", "kube-lite.cjs");
// Building from cached base binaries takes about 15 s; fetching them first, a minute more.
const BUILD_TIMEOUT_MS = 10 * 60_000;
// How long a fresh server may take until `kubectl get ns` answers. qemu-user runs the arm64
// executable about 15x slower than native, so it gets proportionally more.
const READY_TIMEOUT_MS = { x64: 60_000, arm64: 6 * 60_000 };
// A clean shutdown after SIGTERM: close listeners, flush the database.
const STOP_TIMEOUT_MS = { x64: 20_000, arm64: 120_000 };
const SYSTEM_NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system"];

interface Runner {
  arch: "x64" | "arm64";
  /** Command prefix that runs the executable (empty natively, qemu + sysroot for arm64). */
  prefix: string[];
  exe: string;
}

let x64: Runner | undefined;
let arm64: Runner | undefined;
let arm64SkipReason: string | undefined;
let hostSkipReason: string | undefined;

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function runOrThrow(cmd: string, args: string[], timeout: number): void {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", timeout, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.error?.message ?? r.signal ?? `exit ${r.status}`}):\n${r.stdout}${r.stderr}`);
}

before(
  () => {
    if (process.platform !== "linux" || process.arch !== "x64") {
      hostSkipReason = `the packaging test runs the x64 executable natively; this machine is ${process.platform}-${process.arch}`;
      console.log(`# skipping packaging tests: ${hostSkipReason}`);
      return;
    }
    // `npm test` builds the bundle first; rebuild only when the sources are newer, so this
    // test never rewrites dist/ under another test's feet without need.
    const sources = Math.max(newestMtime(join(ROOT, "src")), newestMtime(join(ROOT, "build")), newestMtime(join(ROOT, "build.mjs")));
    if (!existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < sources) runOrThrow(process.execPath, ["build.mjs"], BUILD_TIMEOUT_MS);

    const sysroot = spawnSync("sh", [join(ROOT, "packaging", "arm64-sysroot.sh")], { cwd: ROOT, encoding: "utf8", timeout: BUILD_TIMEOUT_MS });
    const qemu = spawnSync("sh", ["-c", "command -v qemu-aarch64-static"], { encoding: "utf8" }).stdout.trim();
    const sysrootPath = sysroot.stdout.trim().split("\n").pop();
    if (sysroot.status !== 0 || !qemu || !sysrootPath) {
      arm64SkipReason = `cannot prepare qemu-user for arm64 here: ${sysroot.stderr.trim().split("\n").pop()}`;
      console.log(`# skipping the arm64 packaging tests: ${arm64SkipReason}`);
    }

    runOrThrow(process.execPath, ["packaging/build-executables.mjs", ...(arm64SkipReason ? ["--arch", "x64"] : [])], BUILD_TIMEOUT_MS);
    x64 = { arch: "x64", prefix: [], exe: join(OUT, "kube-lite-linux-x64") };
    if (!arm64SkipReason) arm64 = { arch: "arm64", prefix: [qemu, "-L", sysrootPath!], exe: join(OUT, "kube-lite-linux-arm64") };
  },
  { timeout: BUILD_TIMEOUT_MS },
);

function exec(r: Runner, args: string[], timeout = READY_TIMEOUT_MS[r.arch]) {
  const [cmd, ...rest] = [...r.prefix, r.exe, ...args];
  return spawnSync(cmd!, rest, { encoding: "utf8", timeout, env: { ...process.env, NODE_OPTIONS: "" } });
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, "127.0.0.1", ok));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((ok) => child.once("exit", (code, signal) => ok({ code, signal })));
}

function sleep(ms: number): Promise<void> {
  return new Promise((ok) => setTimeout(ok, ms));
}

function checkBasics(r: Runner): void {
  const sum = readFileSync(`${r.exe}.sha256`, "utf8").split(/\s+/)[0];
  assert.equal(sum, createHash("sha256").update(readFileSync(r.exe)).digest("hex"), "the .sha256 file matches the executable");

  const version = exec(r, ["--version"]);
  assert.equal(version.status, 0, version.stderr);
  assert.match(version.stdout, new RegExp(`^kube-lite version v${KUBE_LITE_VERSION.replace(/\./g, "\\.")} \\(Kubernetes v1\\.\\d+\\.\\d+`));
  assert.equal(version.stderr, "", "nothing on stderr (no SEA warning, no missing module)");

  const help = exec(r, ["--help"]);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: kube-lite <command>/m);
  assert.match(help.stdout, /^\s+server\s/m);

  const serverHelp = exec(r, ["server", "--help"]);
  assert.equal(serverHelp.status, 0, serverHelp.stderr);
  assert.match(serverHelp.stdout, /--data-dir/);

  const unknown = exec(r, ["server", "--no-such-flag"]);
  assert.equal(unknown.status, 2, "an unknown flag is a usage error");
  assert.match(unknown.stderr, /no-such-flag/);
}

/** Starts `server --disable-agent`, waits for kubectl to list the namespaces, then stops it with SIGTERM. */
async function checkServer(r: Runner): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), `kube-lite-packaging-${r.arch}-`));
  const kubeconfig = join(dataDir, "kubeconfig.yaml");
  const port = await freePort();
  const [cmd, ...args] = [...r.prefix, r.exe, "server", "--disable-agent", "--data-dir", dataDir, "--https-listen-port", String(port), "--bind-address", "127.0.0.1"];
  const child = spawn(cmd!, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS[r.arch];
    let names: string[] = [];
    let lastError = "kubeconfig not written yet";
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        assert.fail(`kube-lite-linux-${r.arch} server exited early (${child.exitCode ?? child.signalCode}):\n${output}`);
      }
      if (existsSync(kubeconfig)) {
        const got = spawnSync("kubectl", ["--kubeconfig", kubeconfig, "--request-timeout=10s", "get", "ns", "-o", "jsonpath={.items[*].metadata.name}"], { encoding: "utf8", timeout: 30_000 });
        if (got.error) throw new Error(`could not run kubectl: ${got.error.message}`);
        if (got.status === 0) {
          names = got.stdout.trim().split(/\s+/).sort();
          if (SYSTEM_NAMESPACES.every((n) => names.includes(n))) break;
          lastError = `namespaces so far: ${names.join(", ")}`;
        } else {
          lastError = got.stderr.trim();
        }
      }
      await sleep(500);
    }
    assert.deepEqual(
      SYSTEM_NAMESPACES.filter((n) => names.includes(n)),
      SYSTEM_NAMESPACES,
      `kubectl get ns against kube-lite-linux-${r.arch} (last: ${lastError})\nserver output:\n${output}`,
    );

    child.kill("SIGTERM");
    // The timer is cancelled once the server exits, so it cannot keep the test process alive.
    const giveUp = new AbortController();
    const stop = await Promise.race([exited(child), delay(STOP_TIMEOUT_MS[r.arch], undefined, { signal: giveUp.signal }).catch(() => undefined)]);
    giveUp.abort();
    assert.ok(stop, `the server did not exit within ${STOP_TIMEOUT_MS[r.arch]} ms of SIGTERM:\n${output}`);
    assert.deepEqual(stop, { code: 0, signal: null }, `SIGTERM is a clean shutdown:\n${output}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited(child);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test("linux-x64 executable: version, help and usage errors", (t) => {
  if (hostSkipReason) return t.skip(hostSkipReason);
  checkBasics(x64!);
});

test("linux-x64 executable: serves kubectl and stops cleanly on SIGTERM", { timeout: 2 * 60_000 }, async (t) => {
  if (hostSkipReason) return t.skip(hostSkipReason);
  await checkServer(x64!);
});

test("linux-arm64 executable under qemu-user: version, help and usage errors", { timeout: 5 * 60_000 }, (t) => {
  if (hostSkipReason || arm64SkipReason) return t.skip(hostSkipReason ?? arm64SkipReason);
  checkBasics(arm64!);
});

test("linux-arm64 executable under qemu-user: serves kubectl and stops cleanly on SIGTERM", { timeout: 9 * 60_000 }, async (t) => {
  if (hostSkipReason || arm64SkipReason) return t.skip(hostSkipReason ?? arm64SkipReason);
  await checkServer(arm64!);
});
