// Docker stream framing, the generated pause executable and rootfs tarball, sandbox options and
// Docker state → container state, without a Docker engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough, Readable } from "node:stream";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DockerDemux, demux, pipeEnding } from "../../src/agent/kubelet/runtime/stream-demux.js";
import { pauseArch, pauseBinary } from "../../src/agent/kubelet/runtime/pause-binary.js";
import { tarArchive } from "../../src/agent/kubelet/runtime/tar.js";
import { gatewayOf, resolvConf, sandboxCreateOptions } from "../../src/agent/kubelet/runtime/sandbox.js";
import { containerStateOf, runtimeEventOf, statsOf } from "../../src/agent/kubelet/runtime/docker.js";

function frame(type: number, payload: string): Buffer {
  const body = Buffer.from(payload);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

async function text(s: Readable): Promise<string> {
  let out = "";
  for await (const c of s) out += (c as Buffer).toString();
  return out;
}

test("demux splits stdout and stderr frames, whatever the chunk boundaries", async () => {
  const wire = Buffer.concat([frame(1, "out-1\n"), frame(2, "err-1\n"), frame(1, "out-2\n"), frame(0, "stdin-echo"), frame(2, "")]);
  for (const size of [1, 3, 7, 8, 9, wire.length]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < wire.length; i += size) chunks.push(wire.subarray(i, i + size));
    const { stdout, stderr } = demux(Readable.from(chunks), { merged: false });
    const [o, e] = await Promise.all([text(stdout), text(stderr)]);
    assert.equal(o, "out-1\nout-2\n", `chunk size ${size}`);
    assert.equal(e, "err-1\n", `chunk size ${size}`);
  }
  const merged = demux(Readable.from([wire]), { merged: true });
  assert.equal(merged.stdout, merged.stderr);
  assert.equal(await text(merged.stdout), "out-1\nerr-1\nout-2\n");
});

test("demux applies back-pressure: it waits for a full destination to drain", async () => {
  const stdout = new PassThrough({ highWaterMark: 16 });
  const d = new DockerDemux({ stdout, stderr: null });
  const big = frame(1, "x".repeat(1000));
  let acknowledged = false;
  d.write(big, () => {
    acknowledged = true;
  });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(acknowledged, false, "the write stays pending while nobody reads");
  stdout.resume();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(acknowledged, true);
  d.end();
});

test("the pause executable is a static ELF for both architectures and sleeps when run", async () => {
  for (const arch of ["x86_64", "aarch64"] as const) {
    const elf = pauseBinary(arch);
    assert.deepEqual([...elf.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
    assert.equal(elf[4], 2, "64-bit");
    assert.equal(elf.readUInt16LE(18), arch === "x86_64" ? 62 : 183);
    assert.equal(elf.readBigUInt64LE(24), 0x400000n + 120n, "entry right after the headers");
    assert.equal(Number(elf.readBigUInt64LE(64 + 32)), elf.length, "one segment covers the file");
  }
  assert.equal(pauseArch("x86_64"), "x86_64");
  assert.equal(pauseArch("amd64"), "x86_64");
  assert.equal(pauseArch("arm64"), "aarch64");
  assert.equal(pauseArch("armv7l"), undefined);
  const native = pauseArch(process.arch);
  if (!native || process.platform !== "linux") return;
  const dir = mkdtempSync(join(tmpdir(), "kube-lite-pause-"));
  try {
    const path = join(dir, "pause");
    writeFileSync(path, pauseBinary(native), { mode: 0o755 });
    // `timeout` ends it after 0.3 s with status 124: it was still sleeping, not crashed or exited.
    let status = 0;
    try {
      execFileSync("timeout", ["0.3", path]);
    } catch (e) {
      status = (e as { status: number }).status;
    }
    assert.equal(status, 124);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the rootfs tarball is a valid ustar archive", () => {
  const data = Buffer.from("hello");
  const tar = tarArchive([{ name: "pause", data, mode: 0o755 }, { name: "etc/x", data: Buffer.alloc(600, 1), mode: 0o644 }]);
  assert.equal(tar.length % 512, 0);
  const dir = mkdtempSync(join(tmpdir(), "kube-lite-tar-"));
  try {
    writeFileSync(join(dir, "a.tar"), tar);
    const listing = execFileSync("tar", ["-tvf", join(dir, "a.tar")]).toString();
    assert.match(listing, /^-rwxr-xr-x .* 5 .* pause$/m);
    assert.match(listing, /^-rw-r--r-- .* 600 .* etc\/x$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => tarArchive([{ name: "x".repeat(101), data, mode: 0o644 }]), /name too long/);
});

test("sandbox options: pod network, shareable IPC, SIGKILL stop, hostname, DNS, labels", () => {
  const opts = sandboxCreateOptions({
    podUid: "u1", namespace: "ns", name: "web", hostname: "web-0", attempt: 1,
    podCIDRNetwork: { name: "kube-lite-n1", subnet: "10.42.1.0/24" },
    dns: { nameservers: ["10.43.0.10"], searches: ["ns.svc.cluster.local"], options: ["ndots:5"] },
    hostAliases: [{ ip: "10.0.0.9", hostnames: ["db", "db.local"] }],
    labels: { app: "web" },
  }, "n1", "kube-lite/pause:1");
  assert.equal(opts.name, "k8s_POD_web_ns_u1_1");
  assert.equal(opts.StopSignal, "SIGKILL");
  assert.equal(opts.Hostname, "web-0");
  assert.deepEqual(opts.Cmd, ["/pause"]);
  assert.equal(opts.HostConfig?.NetworkMode, "kube-lite-n1");
  assert.equal(opts.HostConfig?.IpcMode, "shareable");
  assert.deepEqual(opts.HostConfig?.Dns, ["10.43.0.10"]);
  assert.deepEqual(opts.HostConfig?.ExtraHosts, ["db:10.0.0.9", "db.local:10.0.0.9"]);
  assert.equal(opts.Labels?.["io.kubernetes.docker.type"], "podsandbox");
  assert.equal(opts.Labels?.["io.kube-lite.node"], "n1");
  assert.equal(opts.Labels?.["io.kube-lite.pod-label.app"], "web");
  const published = sandboxCreateOptions({
    podUid: "u4", namespace: "ns", name: "p", domainname: "sub.ns.svc.cluster.local",
    podCIDRNetwork: { name: "kube-lite-n1", subnet: "10.42.1.0/24" },
    portMappings: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 53, hostPort: 5353, protocol: "UDP", hostIP: "127.0.0.1" }],
  }, "n1", "img");
  assert.equal(published.Domainname, "sub.ns.svc.cluster.local");
  assert.deepEqual(published.ExposedPorts, { "80/tcp": {}, "53/udp": {} });
  assert.deepEqual(published.HostConfig?.PortBindings, {
    "80/tcp": [{ HostIp: "", HostPort: "8080" }],
    "53/udp": [{ HostIp: "127.0.0.1", HostPort: "5353" }],
  });
  const host = sandboxCreateOptions({ podUid: "u2", namespace: "ns", name: "h", hostname: "h", hostNetwork: true }, "n1", "img");
  assert.equal(host.HostConfig?.NetworkMode, "host");
  assert.equal(host.Hostname, undefined);
  assert.throws(() => sandboxCreateOptions({ podUid: "u3", namespace: "ns", name: "x" }, "n1", "img"), /no pod network/);
  assert.equal(gatewayOf("10.42.0.0/24"), "10.42.0.1");
  assert.equal(gatewayOf("10.42.3.17/16"), "10.42.0.1");
  assert.throws(() => gatewayOf("fd00::/64"), /not an IPv4 CIDR/);
  assert.equal(resolvConf({ nameservers: ["10.43.0.10"], searches: ["a", "b"], options: ["ndots:5"] }), "search a b\nnameserver 10.43.0.10\noptions ndots:5\n");
});

test("Docker states map to container states with upstream reasons", () => {
  const zero = "0001-01-01T00:00:00Z";
  const s = (over: Record<string, unknown>) =>
    ({ Status: "exited", Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 0, ExitCode: 0, Error: "", StartedAt: "2026-01-01T00:00:00.5Z", FinishedAt: "2026-01-01T00:00:02Z", ...over }) as never;
  assert.equal(containerStateOf(s({ Status: "created", StartedAt: zero, FinishedAt: zero })).state, "created");
  const running = containerStateOf(s({ Status: "running", Running: true, Pid: 42, FinishedAt: zero }));
  assert.equal(running.state, "running");
  assert.equal(running.pid, 42);
  assert.equal(running.startedAt?.toISOString(), "2026-01-01T00:00:00.500Z");
  assert.equal(containerStateOf(s({})).reason, "Completed");
  assert.equal(containerStateOf(s({ ExitCode: 1 })).reason, "Error");
  assert.equal(containerStateOf(s({ ExitCode: 137, OOMKilled: true })).reason, "OOMKilled");
  const cannot = containerStateOf(s({ Status: "created", ExitCode: 127, Error: 'exec: "nope": executable file not found in $PATH', StartedAt: zero }));
  assert.equal(cannot.state, "exited");
  assert.equal(cannot.reason, "ContainerCannotRun");
  assert.match(cannot.message ?? "", /executable file not found/);
  assert.equal(containerStateOf(s({ Status: "removing" })).state, "unknown");
});

test("Docker events become runtime events; other events are ignored", () => {
  const attrs = { "io.kubernetes.docker.type": "container", "io.kubernetes.pod.uid": "u1", "io.kubernetes.container.name": "web", exitCode: "137" };
  const line = (action: string, a: Record<string, string> = attrs, type = "container") =>
    JSON.stringify({ Type: type, Action: action, Actor: { ID: "abc", Attributes: a }, time: 1795777771, timeNano: 1795777771147856780 });
  assert.deepEqual(runtimeEventOf(line("die")), {
    id: "abc", kind: "container", action: "died", podUid: "u1", containerName: "web", exitCode: 137, time: new Date(1795777771147.8567),
  });
  assert.equal(runtimeEventOf(line("start"))?.exitCode, undefined);
  assert.equal(runtimeEventOf(line("start", { ...attrs, "io.kubernetes.docker.type": "podsandbox" }))?.kind, "sandbox");
  assert.equal(runtimeEventOf(line("exec_start: sh")), undefined);
  assert.equal(runtimeEventOf(line("start", {})), undefined, "not one of ours");
  assert.equal(runtimeEventOf(line("create", attrs, "network")), undefined);
  assert.equal(runtimeEventOf("not json"), undefined);
});

test("stats: cumulative CPU and the working set on cgroup v1 and v2", () => {
  const read = "2026-01-01T00:00:00.000000001Z";
  assert.deepEqual(statsOf({ read, cpu_stats: { cpu_usage: { total_usage: 5e9 } }, memory_stats: { usage: 100, stats: { total_inactive_file: 30, inactive_file: 99 } } }), {
    time: new Date("2026-01-01T00:00:00.000Z"), cpuUsageCoreNanoSeconds: 5e9, memoryUsageBytes: 100, memoryWorkingSetBytes: 70,
  });
  assert.equal(statsOf({ read, memory_stats: { usage: 100, stats: { inactive_file: 40 } } }).memoryWorkingSetBytes, 60);
  assert.equal(statsOf({ read, memory_stats: { usage: 10, stats: { inactive_file: 40 } } }).memoryWorkingSetBytes, 0);
  assert.equal(statsOf({ read }).cpuUsageCoreNanoSeconds, 0);
});

test("a broken or destroyed source ends the outputs with what arrived, never with an error", async () => {
  const broken = new PassThrough();
  const { stdout, stderr } = demux(broken, { merged: false });
  let errors = 0;
  stdout.on("error", () => errors++);
  stderr.on("error", () => errors++);
  broken.write(frame(1, "partial-"));
  broken.write(frame(2, "err"));
  setImmediate(() => broken.destroy(new Error("read ECONNRESET")));
  assert.deepEqual(await Promise.all([text(stdout), text(stderr)]), ["partial-", "err"]);
  assert.equal(errors, 0);

  const closed = new PassThrough();
  const out = pipeEnding(closed, new PassThrough());
  closed.write("kept");
  setImmediate(() => closed.destroy());
  assert.equal(await text(out), "kept");
});
