// The Docker runtime against a real Docker engine: pod sandboxes and shared localhost, emptyDir
// (disk and memory), exec, attach, logs, graceful stop, adoption from labels, security settings,
// termination messages, OOM, images. Skips, saying why, when no engine is reachable.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { execFileSync } from "node:child_process";
import { request as httpRequest } from "node:http";
import type { Readable } from "node:stream";
import { DockerRuntime } from "../../src/agent/kubelet/runtime/docker.js";
import { connectDocker } from "../../src/agent/kubelet/runtime/docker-client.js";
import { LABEL_NODE } from "../../src/agent/kubelet/runtime/labels.js";
import { ensurePodNetwork } from "../../src/agent/kubelet/runtime/sandbox.js";
import { ImagePullError } from "../../src/agent/kubelet/images/ensure.js";
import { runImageImport } from "../../src/agent/kubelet/images/import-command.js";
import type { ContainerConfig, PodSandboxConfig, RuntimeEvent } from "../../src/agent/kubelet/runtime/types.js";
import { clusterCidr } from "./harness.js";

const IMAGE = "kube-lite-test/busybox:latest";
const suffix = randomBytes(3).toString("hex");
const nodeName = `rt-test-${suffix}`;
/** The first /24 of a test cluster CIDR (10.100–249.x, clear of Docker's pools and kube-lite's 10.42/10.43) no other test process holds. */
const subnet = clusterCidr().replace(/\.0\.0\/16$/, ".0.0/24");
const network = { name: `kube-lite-${nodeName}`, subnet };
let rootDir = "";
let runtime: DockerRuntime;
let skip: string | false = false;

before(async () => {
  rootDir = mkdtempSync(join(tmpdir(), "kube-lite-runtime-"));
  runtime = new DockerRuntime({ nodeName, rootDir });
  try {
    const docker = await runtime.docker();
    await Promise.race([docker.ping(), new Promise((_, rej) => setTimeout(() => rej(new Error("ping timed out")), 3000))]);
    await docker.getImage(IMAGE).inspect();
  } catch (err) {
    skip = `no Docker engine with ${IMAGE} reachable (${(err as Error).message}); run test/setup-host.sh as root`;
    console.log(`# skipping Docker runtime tests: ${skip}`);
  }
});

after(async () => {
  if (!skip) {
    const docker = await connectDocker();
    const mine = await docker.listContainers({ all: true, filters: { label: [`${LABEL_NODE}=${nodeName}`] } });
    await Promise.all(mine.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    const vols = await docker.listVolumes({ filters: { label: [`${LABEL_NODE}=${nodeName}`] } });
    await Promise.all((vols.Volumes ?? []).map((v) => docker.getVolume(v.Name).remove().catch(() => undefined)));
    await docker.getNetwork(network.name).remove().catch(() => undefined);
  }
  rmSync(rootDir, { recursive: true, force: true });
});

function pod(name: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  return { podUid: randomUUID(), namespace: "default", name, hostname: name, podCIDRNetwork: network, ...extra };
}

function container(name: string, extra: Partial<ContainerConfig>): ContainerConfig {
  return { name, image: IMAGE, restartCount: 0, ...extra };
}

async function readAll(stream: Readable | null): Promise<string> {
  if (!stream) return "";
  let s = "";
  for await (const chunk of stream) s += (chunk as Buffer).toString("utf8");
  return s;
}

/**
 * The body of a GET, or "" on any failure. Not fetch(): while the published port's proxy accepts a
 * connection and drops it (the server in the pod not listening yet), undici's fetch promise can
 * stay pending with nothing keeping the event loop alive, and the test is cancelled.
 */
function httpGet(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { timeout: 2000 }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve(res.statusCode === 200 ? body : ""));
      res.on("error", () => resolve(""));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(""));
    req.on("close", () => resolve(""));
    req.end();
  });
}

async function waitExited(id: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await runtime.inspectContainer(id);
    if (info.state === "exited") return info;
    if (Date.now() > deadline) throw new Error(`container ${id} still ${info.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startPodContainer(p: PodSandboxConfig, sandboxId: string, c: ContainerConfig): Promise<string> {
  const id = await runtime.createContainer(sandboxId, p, c);
  await runtime.startContainer(id);
  return id;
}

test("two containers share localhost and emptyDir volumes (disk and memory)", async (t) => {
  if (skip) return t.skip(skip);
  const p = pod("web");
  const { sandboxId, ip } = await runtime.runSandbox({ ...p, dns: { nameservers: ["10.43.0.10"], searches: ["default.svc.cluster.local"], options: ["ndots:5"] } });
  assert.ok(ip.startsWith(subnet.split(".").slice(0, 3).join(".") + "."), `pod IP ${ip} in ${subnet}`);
  const disk = await runtime.emptyDir(p.podUid, "html", {});
  const mem = await runtime.emptyDir(p.podUid, "scratch", { medium: "Memory", sizeLimit: "16Mi" });
  const mounts = [
    { source: disk, containerPath: "/html" },
    { source: mem, containerPath: "/scratch" },
  ];
  await startPodContainer(p, sandboxId, container("server", {
    command: ["sh", "-c"],
    args: ["echo hello-from-server > /html/index.html; echo in-memory > /scratch/m; exec httpd -f -p 8080 -h /html"],
    mounts,
  }));
  const fetcher = await startPodContainer(p, sandboxId, container("fetcher", {
    command: ["sh", "-c", "for i in $(seq 100); do wget -qO- http://127.0.0.1:8080/index.html && break; sleep 0.1; done; cat /scratch/m; hostname; cat /etc/resolv.conf; grep -c tmpfs /proc/mounts"],
    mounts,
  }));
  const done = await waitExited(fetcher);
  assert.equal(done.exitCode, 0);
  assert.equal(done.reason, "Completed");
  const out = await readAll((await runtime.logs(fetcher, {})).output);
  assert.match(out, /hello-from-server/);
  assert.match(out, /in-memory/);
  assert.match(out, /^web$/m, "hostname from the sandbox");
  assert.match(out, /nameserver 10\.43\.0\.10/);
  assert.match(out, /search default\.svc\.cluster\.local/);
  assert.match(out, /options ndots:5/);
  assert.ok(existsSync(join(disk.type === "bind" ? disk.path : "", "index.html")), "emptyDir on the host under the root dir");

  // Port-forward: a TCP connection into the pod's network namespace.
  const conn = await runtime.portForward(sandboxId, 8080);
  conn.end("GET /index.html HTTP/1.0\r\nHost: pod\r\n\r\n");
  const response = await readAll(conn);
  assert.match(response, /^HTTP\/1\.[01] 200 /);
  assert.match(response, /hello-from-server\n$/);
  await assert.rejects(runtime.portForward(sandboxId, 1), /error forwarding port 1 to pod sandbox/);
});

test("an unreachable engine gives a clear error", async () => {
  const nowhere = new DockerRuntime({ nodeName, rootDir, socketPath: join(rootDir, "no-docker.sock") });
  await assert.rejects(nowhere.version(), /cannot reach the Docker engine at .*no-docker\.sock \(ENOENT\): is dockerd running/);
});

test("hostPort: published on the sandbox, served by a container of the pod; image reported as the spec names it", async (t) => {
  if (skip) return t.skip(skip);
  const hostPort = 30000 + (randomBytes(2).readUInt16BE(0) % 10000);
  const p = pod("hostport", { portMappings: [{ containerPort: 8081, hostPort, hostIP: "127.0.0.1" }] });
  const { sandboxId } = await runtime.runSandbox(p);
  const { imageRef } = await runtime.ensureImage(IMAGE, "IfNotPresent");
  const id = await startPodContainer(p, sandboxId, container("server", {
    imageRef,
    command: ["sh", "-c", "mkdir /w; echo via-host-port > /w/index.html; exec httpd -f -p 8081 -h /w"],
    ports: [{ containerPort: 8081, hostPort }],
  }));
  let body = "";
  for (let i = 0; i < 50 && !body; i++) {
    body = await httpGet(`http://127.0.0.1:${hostPort}/`);
    if (!body) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(body, "via-host-port\n");
  const info = await runtime.inspectContainer(id);
  assert.equal(info.image, IMAGE);
  assert.match(info.imageID, /^docker:\/\/sha256:/);
});

test("lifecycle events for this node's sandboxes and containers", async (t) => {
  if (skip) return t.skip(skip);
  const events: RuntimeEvent[] = [];
  let ended = false;
  const watch = await runtime.watchEvents((e) => events.push(e), () => (ended = true));
  try {
    const p = pod("events");
    const { sandboxId } = await runtime.runSandbox(p);
    const id = await startPodContainer(p, sandboxId, container("main", { command: ["sh", "-c", "exit 3"] }));
    await waitExited(id);
    await runtime.removeContainer(id);
    const deadline = Date.now() + 5000;
    const want = (e: RuntimeEvent) => e.id === id && e.action === "destroyed";
    while (!events.some(want) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const mine = events.filter((e) => e.podUid === p.podUid);
    assert.deepEqual(mine.filter((e) => e.kind === "sandbox").map((e) => e.action).slice(0, 2), ["created", "started"]);
    assert.deepEqual(mine.filter((e) => e.id === id).map((e) => [e.action, e.containerName, e.exitCode]), [
      ["created", "main", undefined],
      ["started", "main", undefined],
      ["died", "main", 3],
      ["destroyed", "main", undefined],
    ]);
    assert.ok(mine.every((e) => e.time.getTime() > Date.now() - 60_000));
  } finally {
    watch.stop();
  }
  assert.equal(ended, false, "stop() is not reported as the engine ending the stream");
});

test("exec: stdin, stdout, stderr and the exit code; tty with resize", async (t) => {
  if (skip) return t.skip(skip);
  const p = pod("exec");
  const { sandboxId } = await runtime.runSandbox(p);
  const id = await startPodContainer(p, sandboxId, container("main", { command: ["sleep", "300"] }));
  const s = await runtime.exec(id, { command: ["sh", "-c", "cat; echo to-stderr >&2; exit 3"], stdin: true });
  s.stdin!.end("piped-in\n");
  const [out, err, code] = await Promise.all([readAll(s.stdout), readAll(s.stderr), s.exitCode]);
  assert.equal(out, "piped-in\n");
  assert.equal(err, "to-stderr\n");
  assert.equal(code, 3);

  // Usage: CPU time accumulates, memory is reported.
  const s1 = await runtime.containerStats(id);
  await (await runtime.exec(id, { command: ["sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"] })).exitCode;
  const s2 = await runtime.containerStats(id);
  assert.ok(s2.cpuUsageCoreNanoSeconds > s1.cpuUsageCoreNanoSeconds, `${s1.cpuUsageCoreNanoSeconds} → ${s2.cpuUsageCoreNanoSeconds}`);
  assert.ok(s2.memoryUsageBytes > 0 && s2.memoryWorkingSetBytes > 0 && s2.memoryWorkingSetBytes <= s2.memoryUsageBytes);
  assert.ok(s2.time >= s1.time);

  const tty = await runtime.exec(id, { command: ["sh", "-c", "sleep 0.5; stty size"], tty: true, stderr: false });
  // The engine accepts a resize once the process runs; retry briefly until it does.
  for (let i = 0; ; i++) {
    try {
      await tty.resize({ width: 100, height: 40 });
      break;
    } catch (e) {
      if (i > 20) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const ttyOut = await readAll(tty.stdout);
  assert.equal(tty.stderr, null);
  assert.match(ttyOut, /40 100/);
  assert.equal(await tty.exitCode, 0);
});

test("logs: tail, timestamps, since and follow", async (t) => {
  if (skip) return t.skip(skip);
  const p = pod("logs");
  const { sandboxId } = await runtime.runSandbox(p);
  const id = await startPodContainer(p, sandboxId, container("main", {
    // Docker copies stdout and stderr separately, so their relative order is only kept across a pause.
    command: ["sh", "-c", "echo oops >&2; sleep 0.5; for i in 1 2 3 4 5; do echo line$i; done; sleep 1; echo late; sleep 300"],
  }));
  const follow = await runtime.logs(id, { follow: true });
  const seen: string[] = [];
  const gotLate = new Promise<void>((resolve) => {
    follow.output.on("data", (b: Buffer) => {
      seen.push(b.toString());
      if (seen.join("").includes("late")) resolve();
    });
  });
  await gotLate;
  follow.close();
  assert.equal(seen.join(""), "oops\nline1\nline2\nline3\nline4\nline5\nlate\n");

  const tail = await readAll((await runtime.logs(id, { tailLines: 2 })).output);
  assert.equal(tail, "line5\nlate\n");
  const stamped = await readAll((await runtime.logs(id, { tailLines: 1, timestamps: true })).output);
  assert.match(stamped, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z late\n$/);
  // Since the engine's own timestamp of "late" (no clock skew between us and the engine).
  const all = await readAll((await runtime.logs(id, { timestamps: true })).output);
  const lateStamp = /^(\S+) late$/m.exec(all)?.[1];
  assert.ok(lateStamp, all);
  assert.equal(await readAll((await runtime.logs(id, { since: new Date(lateStamp) })).output), "late\n");
  const future = await readAll((await runtime.logs(id, { since: new Date(Date.now() + 60_000) })).output);
  assert.equal(future, "");
  assert.equal(await readAll((await runtime.logs(id, { limitBytes: 8 })).output), "oops\nlin");
  assert.equal(await readAll((await runtime.logs(id, { limitBytes: 0 })).output), "");
  const limitedFollow = await runtime.logs(id, { follow: true, limitBytes: 5 });
  assert.equal(await readAll(limitedFollow.output), "oops\n", "a follow ends once the limit is reached");
  const stdoutOnly = await readAll((await runtime.logs(id, { stderr: false })).output);
  assert.doesNotMatch(stdoutOnly, /oops/);
});

test("stop honours the grace period: SIGTERM first, SIGKILL when it runs out", async (t) => {
  if (skip) return t.skip(skip);
  const p = pod("stop");
  const { sandboxId } = await runtime.runSandbox(p);
  const polite = await startPodContainer(p, sandboxId, container("polite", {
    command: ["sh", "-c", "trap 'echo got-term; exit 0' TERM; while true; do sleep 0.1; done"],
  }));
  const stubborn = await startPodContainer(p, sandboxId, container("stubborn", {
    command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"],
  }));
  await new Promise((r) => setTimeout(r, 300));
  let started = Date.now();
  await runtime.stopContainer(polite, 10);
  assert.ok(Date.now() - started < 5000, "exits on SIGTERM without waiting for the grace period");
  const p1 = await runtime.inspectContainer(polite);
  assert.equal(p1.exitCode, 0);
  assert.match(await readAll((await runtime.logs(polite, {})).output), /got-term/);

  started = Date.now();
  await runtime.stopContainer(stubborn, 1);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 900 && elapsed < 8000, `killed after the 1 s grace period (took ${elapsed} ms)`);
  const s1 = await runtime.inspectContainer(stubborn);
  assert.equal(s1.state, "exited");
  assert.equal(s1.exitCode, 137);
  assert.equal(s1.reason, "Error");
  assert.ok(s1.finishedAt && s1.startedAt && s1.finishedAt > s1.startedAt);
});

test("a new runtime instance adopts running containers from their labels", async (t) => {
  if (skip) return t.skip(skip);
  const p = pod("adopt");
  const { sandboxId, ip } = await runtime.runSandbox(p);
  const id = await startPodContainer(p, sandboxId, container("app", { command: ["sleep", "300"], restartCount: 2, labels: { "io.kube-lite.spec-hash": "abc" } }));

  const restarted = new DockerRuntime({ nodeName, rootDir });
  const pods = await restarted.listPodContainers();
  const mine = pods.find((x) => x.podUid === p.podUid);
  assert.ok(mine, "pod found after restart");
  assert.equal(mine.namespace, "default");
  assert.equal(mine.name, "adopt");
  assert.deepEqual(mine.sandboxes.map((s) => [s.sandboxId, s.ip, s.state]), [[sandboxId, ip, "ready"]]);
  assert.equal(mine.containers.length, 1);
  const c = mine.containers[0]!;
  assert.equal(c.id, id);
  assert.equal(c.containerID, `docker://${id}`);
  assert.equal(c.containerName, "app");
  assert.equal(c.restartCount, 2);
  assert.equal(c.sandboxId, sandboxId);
  assert.equal(c.state, "running");
  assert.equal(c.labels["io.kube-lite.spec-hash"], "abc");
  assert.match(c.imageID, /^docker:\/\/sha256:[0-9a-f]{64}$/);

  const other = new DockerRuntime({ nodeName: `${nodeName}-other`, rootDir });
  assert.equal((await other.listPodContainers()).length, 0, "another node's agent sees none of them");

  await restarted.stopContainer(id, 0);
  await restarted.removeContainer(id);
  await restarted.stopSandbox(sandboxId);
  await restarted.removeSandbox(sandboxId);
  await restarted.cleanupPod(p.podUid);
  assert.equal((await restarted.listPodContainers()).find((x) => x.podUid === p.podUid), undefined);
});

test("security context, env expansion, working dir, termination message, read-only root", async (t) => {
  if (skip) return t.skip(skip);
  const p = pod("sec");
  const { sandboxId } = await runtime.runSandbox(p);
  const id = await startPodContainer(p, sandboxId, container("main", {
    command: ["sh", "-c", "id -u; id -g; pwd; echo $(GREETING) $MSG; touch /rootfs-write 2>/dev/null && echo writable || echo read-only; echo bye > /dev/termination-log; exit 2"],
    env: [{ name: "GREETING", value: "hi" }, { name: "MSG", value: "$(GREETING)-there" }],
    workingDir: "/tmp",
    securityContext: { runAsUser: 1234, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
    podSecurityContext: { runAsGroup: 2345 },
  }));
  const info = await waitExited(id);
  const out = await readAll((await runtime.logs(id, {})).output);
  assert.equal(out, "1234\n2345\n/tmp\nhi hi-there\nread-only\n");
  assert.equal(info.exitCode, 2);
  assert.equal(info.reason, "Error");
  assert.equal(info.message, "bye\n");
});

test("a container over its memory limit is OOMKilled", async (t) => {
  if (skip) return t.skip(skip);
  const p = pod("oom");
  const { sandboxId } = await runtime.runSandbox(p);
  const id = await startPodContainer(p, sandboxId, container("hog", {
    // tail buffers its input until a newline, and /dev/zero has none: the main process itself grows.
    command: ["tail", "/dev/zero"],
    resources: { limits: { memory: "16Mi", cpu: "500m" } },
  }));
  const info = await waitExited(id);
  assert.equal(info.reason, "OOMKilled");
  assert.equal(info.exitCode, 137);
});

test("attach: stdin to a waiting process and its exit code", async (t) => {
  if (skip) return t.skip(skip);
  const p = pod("attach");
  const { sandboxId } = await runtime.runSandbox(p);
  const id = await runtime.createContainer(sandboxId, p, container("main", { command: ["sh", "-c", "read line; echo got:$line; exit 4"], stdin: true, stdinOnce: true }));
  const s = await runtime.attach(id, { stdin: true });
  await runtime.startContainer(id);
  s.stdin!.write("ping\n");
  const out = await readAll(s.stdout);
  assert.equal(out, "got:ping\n");
  assert.equal(await s.exitCode, 4);
});

test("attach with a tty: resize reaches the process", async (t) => {
  if (skip) return t.skip(skip);
  const p = pod("attach-tty");
  const { sandboxId } = await runtime.runSandbox(p);
  const id = await runtime.createContainer(sandboxId, p, container("main", { command: ["sh", "-c", "read x; stty size"], stdin: true, stdinOnce: true, tty: true }));
  await runtime.startContainer(id);
  const s = await runtime.attach(id, { stdin: true });
  assert.equal(s.stderr, null, "a tty has one output stream");
  await s.resize({ width: 90, height: 30 });
  s.stdin!.write("\n");
  const out = await readAll(s.stdout);
  assert.match(out, /30 90/);
  assert.equal(await s.exitCode, 0);
});

test("shareProcessNamespace: the pod's containers see each other's processes", async (t) => {
  if (skip) return t.skip(skip);
  const p = pod("sharepid", { shareProcessNamespace: true, sysctls: { "net.ipv4.ip_unprivileged_port_start": "80" } });
  const { sandboxId } = await runtime.runSandbox(p);
  await startPodContainer(p, sandboxId, container("sleeper", { command: ["sleep", "301"] }));
  // An orphan (its shell exits at once) is inherited by the pod's PID 1, the pause process, which
  // must reap it when it exits: no zombie may be left.
  const looker = await startPodContainer(p, sandboxId, container("looker", {
    command: ["sh", "-c", "sh -c 'sleep 0.4 &'; sleep 0.1; echo ORPHAN; ps -o ppid,args | grep 'sleep 0.4' | grep -v grep; sleep 0.8; echo AFTER; ps -o pid,stat,args"],
  }));
  await waitExited(looker);
  const out = await readAll((await runtime.logs(looker, {})).output);
  const [orphan, after] = out.split("AFTER\n");
  assert.match(orphan ?? "", /^\s*1 sleep 0\.4$/m, "the orphan's parent is the pause process");
  assert.match(after ?? "", /^\s*1 \S+\s+\/pause$/m, "the sandbox's pause is PID 1");
  assert.match(after ?? "", /sleep 301/);
  assert.doesNotMatch(after ?? "", /^\s*\d+ Z/m, "no zombie left");
  const sysctl = await runtime.exec((await runtime.listContainers()).find((c) => c.podUid === p.podUid && c.containerName === "sleeper")!.id, {
    command: ["cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start"],
  });
  assert.equal(await readAll(sysctl.stdout), "80\n", "the pod's sysctls apply to every container (they share the network namespace)");
});

test("images: presence, policies, offline fallback, tarball import", async (t) => {
  if (skip) return t.skip(skip);
  // No registry is reachable from the test machines: Always falls back to the local image with a warning.
  const always = await runtime.ensureImage(IMAGE, "Always");
  assert.match(always.imageRef, /^sha256:/);
  if (always.pulled) {
    t.diagnostic("a registry answered: the offline fallback was not exercised");
  } else {
    assert.match(always.warning ?? "", /no registry reachable/);
  }
  const present = await runtime.ensureImage(IMAGE, "IfNotPresent");
  assert.deepEqual(present, { imageRef: always.imageRef, pulled: false });
  const missing = `kube-lite-test/missing-${suffix}:1`;
  await assert.rejects(runtime.ensureImage(missing, "Never"), (e: unknown) => e instanceof ImagePullError && e.reason === "ErrImageNeverPull");
  await assert.rejects(runtime.ensureImage(missing, "IfNotPresent"), (e: unknown) => e instanceof ImagePullError && e.reason === "ErrImagePull");

  const tag = `kube-lite-test/imported-${suffix}:v1`;
  const dir = mkdtempSync(join(tmpdir(), "kube-lite-images-"));
  const tarball = join(dir, "imported.tar");
  try {
    execFileSync("docker", ["tag", IMAGE, tag]);
    execFileSync("docker", ["save", "-o", tarball, tag]);
    execFileSync("docker", ["rmi", tag]);
    const progress: number[] = [];
    const loaded = await runtime.importImageTarball(tarball, (pr) => progress.push(pr.bytesRead / pr.totalBytes));
    assert.deepEqual(loaded, [tag]);
    assert.equal(progress.at(-1), 1);
    assert.equal((await runtime.ensureImage(tag, "Never")).pulled, false);

    // The command a person runs: progress lines, the loaded names, a non-zero exit for a bad file.
    const bogus = join(dir, "bogus.tar");
    writeFileSync(bogus, "not a tarball");
    const lines: string[] = [];
    const code = await runImageImport([tarball, bogus], { write: (l) => lines.push(l) });
    assert.equal(code, 1);
    assert.ok(lines.includes(`imported.tar: loaded ${tag}`), lines.join("\n"));
    assert.match(lines.find((l) => l.startsWith("imported.tar: 100%")) ?? "", /^imported\.tar: 100% \(\d+\.\d\/\d+\.\d MiB\)$/);
    assert.match(lines.at(-1) ?? "", /^bogus\.tar: import failed: /);
  } finally {
    try {
      execFileSync("docker", ["rmi", tag], { stdio: "ignore" });
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a command that cannot run: start fails and the state says ContainerCannotRun", async (t) => {
  if (skip) return t.skip(skip);
  const p = pod("cannot");
  const { sandboxId } = await runtime.runSandbox(p);
  const id = await runtime.createContainer(sandboxId, p, container("main", { command: ["/no/such/binary"] }));
  await assert.rejects(runtime.startContainer(id), /no such file|not found/);
  const info = await runtime.inspectContainer(id);
  assert.equal(info.state, "exited");
  assert.equal(info.reason, "ContainerCannotRun");
  assert.match(info.message ?? "", /no such file|not found/);
  assert.ok((info.exitCode ?? 0) !== 0);
});

test("a removed sandbox image is made again", async (t) => {
  if (skip) return t.skip(skip);
  const before = await runtime.runSandbox(pod("image-gone-1"));
  assert.ok(before.ip);
  // Untag it as `docker image prune -a` would (forced: sandboxes of earlier tests still use it).
  execFileSync("docker", ["rmi", "-f", "kube-lite/pause:1"], { stdio: "ignore" });
  const after = await runtime.runSandbox(pod("image-gone-2"));
  assert.ok(after.ip);
  assert.notEqual(after.ip, before.ip);
});

test("a pod CIDR that overlaps another Docker network: the error names that network", async (t) => {
  if (skip) return t.skip(skip);
  const docker = await runtime.docker();
  // Another /24 of this process's test CIDR, held by a network that is not the node's.
  const clashSubnet = subnet.replace(/\.0\.0\/24$/, ".201.0/24");
  const blocker = `kube-lite-test-blocker-${suffix}`;
  await docker.createNetwork({ Name: blocker, Driver: "bridge", IPAM: { Driver: "default", Config: [{ Subnet: clashSubnet }] } });
  t.after(() => docker.getNetwork(blocker).remove().catch(() => undefined));
  const net = { name: `kube-lite-${nodeName}-clash`, subnet: clashSubnet.replace(/\.0\/24$/, ".128/25") };
  await assert.rejects(ensurePodNetwork(docker, net, nodeName), (err: Error) => {
    assert.match(err.message, new RegExp(`Docker network ${blocker} already uses ${clashSubnet.replace(/\./g, "\\.")}`));
    assert.match(err.message, /--cluster-cidr/);
    return true;
  });
  await assert.rejects(docker.getNetwork(net.name).inspect(), "nothing was created");
});
