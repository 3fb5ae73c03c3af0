// packaging/install.sh: installs a local executable and writes the systemd unit, offline.
// Runs the real script into temporary folders (INSTALL_KUBE_LITE_SKIP_ENABLE=true keeps
// systemctl out of it) with a small stand-in executable: what is under test is the installer,
// which only copies the executable and runs its --version.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";

const PACKAGING = resolve(dirname(fileURLToPath(import.meta.url)), "../../packaging");
const HOST_ARCH = process.arch === "arm64" ? "arm64" : "x64";
const STAND_IN_VERSION = "kube-lite version v9.9.9-installer-test (Kubernetes v1.32.0)";

interface Sandbox {
  dir: string;
  binDir: string;
  systemdDir: string;
  exe: string;
}

function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "kube-lite-install-"));
  const exe = join(dir, "kube-lite-stand-in");
  writeFileSync(exe, `#!/bin/sh\n[ "$1" = --version ] && echo "${STAND_IN_VERSION}" && exit 0\nexit 3\n`);
  chmodSync(exe, 0o755);
  return { dir, binDir: join(dir, "bin"), systemdDir: join(dir, "systemd"), exe };
}

function install(s: Sandbox, env: Record<string, string>, script = join(PACKAGING, "install.sh")) {
  return spawnSync("sh", [script], {
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      INSTALL_KUBE_LITE_BIN_DIR: s.binDir,
      INSTALL_KUBE_LITE_SYSTEMD_DIR: s.systemdDir,
      INSTALL_KUBE_LITE_SKIP_ENABLE: "true",
      ...env,
    },
  });
}

function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** The unit as install.sh must write it: the shipped template with only ExecStart replaced. */
function expectedUnit(role: "server" | "agent", execStart: string): string {
  return readFileSync(join(PACKAGING, `kube-lite-${role}.service`), "utf8").replace(/^ExecStart=.*$/m, () => execStart);
}

function systemdVerify(unitPath: string): { available: boolean; status: number | null; output: string } {
  const r = spawnSync("systemd-analyze", ["verify", unitPath], { encoding: "utf8" });
  if (r.error) return { available: false, status: null, output: r.error.message };
  return { available: true, status: r.status, output: r.stdout + r.stderr };
}

test("installs the executable and a server unit whose ExecStart carries INSTALL_KUBE_LITE_EXEC, escaped for systemd", (t) => {
  const s = sandbox();
  try {
    const r = install(s, { INSTALL_KUBE_LITE_BIN: s.exe, INSTALL_KUBE_LITE_EXEC: "server --disable-agent --token abc%def$GHI* --tls-san pi.lan" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /installing kube-lite version v9\.9\.9-installer-test/);

    const installed = join(s.binDir, "kube-lite");
    assert.equal(sha256(installed), sha256(s.exe));
    assert.equal(statSync(installed).mode & 0o777, 0o755);

    const unitPath = join(s.systemdDir, "kube-lite-server.service");
    const execStart = `ExecStart=${installed} server "--disable-agent" "--token" "abc%%def$$GHI*" "--tls-san" "pi.lan"`;
    assert.equal(readFileSync(unitPath, "utf8"), expectedUnit("server", execStart));
    assert.equal(statSync(unitPath).mode & 0o777, 0o644);
    assert.ok(!existsSync(join(s.systemdDir, "kube-lite-agent.service")));

    const verify = systemdVerify(unitPath);
    if (!verify.available) t.diagnostic(`systemd-analyze not available (${verify.output}); unit syntax not checked by systemd`);
    else assert.equal(verify.status, 0, `systemd-analyze verify:\n${verify.output}`);
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test("an agent install writes kube-lite-agent.service; flags alone mean server", () => {
  const s = sandbox();
  try {
    const agent = install(s, { INSTALL_KUBE_LITE_BIN: s.exe, INSTALL_KUBE_LITE_EXEC: "agent --server https://10.0.0.5:6443 --token K10abc::node:secret" });
    assert.equal(agent.status, 0, agent.stderr);
    const installed = join(s.binDir, "kube-lite");
    assert.equal(
      readFileSync(join(s.systemdDir, "kube-lite-agent.service"), "utf8"),
      expectedUnit("agent", `ExecStart=${installed} agent "--server" "https://10.0.0.5:6443" "--token" "K10abc::node:secret"`),
    );

    const flagsOnly = install(s, { INSTALL_KUBE_LITE_BIN: s.exe, INSTALL_KUBE_LITE_EXEC: "--https-listen-port 7443" });
    assert.equal(flagsOnly.status, 0, flagsOnly.stderr);
    assert.match(readFileSync(join(s.systemdDir, "kube-lite-server.service"), "utf8"), /^ExecStart=\S+\/kube-lite server "--https-listen-port" "7443"$/m);

    for (const exec of [undefined, "   "]) {
      const plain = install(s, { INSTALL_KUBE_LITE_BIN: s.exe, ...(exec === undefined ? {} : { INSTALL_KUBE_LITE_EXEC: exec }) });
      assert.equal(plain.status, 0, plain.stderr);
      assert.match(readFileSync(join(s.systemdDir, "kube-lite-server.service"), "utf8"), /^ExecStart=\S+\/kube-lite server$/m);
    }
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test("finds kube-lite-linux-<arch> beside the script and checks it against its .sha256", () => {
  const s = sandbox();
  try {
    // The offline bundle a user copies to a machine: script, units, executable, checksum.
    for (const f of ["install.sh", "kube-lite-server.service", "kube-lite-agent.service"]) copyFileSync(join(PACKAGING, f), join(s.dir, f));
    const exe = join(s.dir, `kube-lite-linux-${HOST_ARCH}`);
    copyFileSync(s.exe, exe);
    chmodSync(exe, 0o755);
    writeFileSync(`${exe}.sha256`, `${sha256(exe)}  kube-lite-linux-${HOST_ARCH}\n`);
    const ok = install(s, {}, join(s.dir, "install.sh"));
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /checksum of kube-lite-linux-\w+ verified/);
    assert.equal(sha256(join(s.binDir, "kube-lite")), sha256(exe));

    rmSync(s.binDir, { recursive: true });
    writeFileSync(`${exe}.sha256`, `${"0".repeat(64)}  kube-lite-linux-${HOST_ARCH}\n`);
    const damaged = install(s, {}, join(s.dir, "install.sh"));
    assert.equal(damaged.status, 1);
    assert.match(damaged.stderr, /does not match .*\.sha256/);
    assert.ok(!existsSync(join(s.binDir, "kube-lite")), "nothing installed from a damaged copy");
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test("refuses an executable that does not run here, an unknown role and unsafe arguments, changing nothing", () => {
  const s = sandbox();
  try {
    // What a wrong-architecture or truncated download looks like to the kernel.
    const broken = join(s.dir, "kube-lite-broken");
    writeFileSync(broken, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(64)]));
    chmodSync(broken, 0o755);
    const notRunnable = install(s, { INSTALL_KUBE_LITE_BIN: broken });
    assert.equal(notRunnable.status, 1);
    assert.match(notRunnable.stderr, /does not run on this machine/);

    const missing = install(s, { INSTALL_KUBE_LITE_BIN: join(s.dir, "nope") });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /does not exist/);

    const role = install(s, { INSTALL_KUBE_LITE_BIN: s.exe, INSTALL_KUBE_LITE_EXEC: "controller --x" });
    assert.equal(role.status, 1);
    assert.match(role.stderr, /must start with "server" or "agent"/);

    const quote = install(s, { INSTALL_KUBE_LITE_BIN: s.exe, INSTALL_KUBE_LITE_EXEC: `server --token a"b` });
    assert.equal(quote.status, 1);
    assert.match(quote.stderr, /quote or backslash/);

    assert.ok(!existsSync(s.binDir) && !existsSync(s.systemdDir), "no file written by a refused install");
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});
