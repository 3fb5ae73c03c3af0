/**
 * Integration-test harness: starts the real bundled server (dist/kube-lite.cjs) on a free port with a
 * temporary data dir, waits until it is ready, and runs the real kubectl against it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import https from "node:https";
import { parse as parseYaml } from "yaml";
import { ipv4CidrsOverlap } from "../../src/shared/api/ipv4.js";

export const REPO = path.resolve(import.meta.dirname, "../..");
export const BUNDLE = path.join(REPO, "dist", "kube-lite.cjs");
export const KUBECTL_DIR = "/usr/lib/google-cloud-sdk/bin";
/** The Docker engine's own client (the preinstalled /usr/local/bin/docker is too old). */
export const DOCKER = "/usr/bin/docker";

/** The kubectl binary of a minor version (27–33), or the default /usr/bin/kubectl (dispatcher, 1.32). */
export function kubectlBinary(minor?: number): string {
  return minor ? path.join(KUBECTL_DIR, `kubectl.1.${minor}`) : "/usr/bin/kubectl";
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Second octets handed out by clusterCidr(): 10.X.0.0/16 for X in this range. */
const CIDR_OCTETS = { first: 100, count: 150 };

/**
 * A cluster CIDR (`10.X.0.0/16`) no other test process on this machine holds: each node's Docker
 * network takes a /24 of it, and two clusters on one engine with overlapping subnets fail to start.
 * Claims are directories in the temp dir holding the claimer's pid (mkdir is atomic); a claim whose
 * process is gone is taken over. Released when this process exits. A range that a network already
 * on the Docker engine overlaps (left by an interrupted run, or anyone's) is never handed out.
 *
 * @example const server = await startServer({ embeddedAgentNode: "n1", args: ["--cluster-cidr", clusterCidr()] });
 */
export function clusterCidr(): string {
  const start = process.pid % CIDR_OCTETS.count;
  const engineSubnets = dockerSubnets();
  for (let i = 0; i < CIDR_OCTETS.count; i++) {
    const octet = CIDR_OCTETS.first + ((start + i) % CIDR_OCTETS.count);
    if (engineSubnets.some((s) => ipv4CidrsOverlap(s, `10.${octet}.0.0/16`))) continue;
    const claim = path.join(os.tmpdir(), `kube-lite-test-cidr-${octet}`);
    try {
      mkdirSync(claim);
    } catch {
      let holder = 0;
      try {
        holder = Number(readFileSync(path.join(claim, "pid"), "utf8"));
      } catch {
        continue; // being claimed right now
      }
      if (holder === process.pid || processAlive(holder)) continue;
      rmSync(claim, { recursive: true, force: true });
      try {
        mkdirSync(claim);
      } catch {
        continue;
      }
    }
    writeFileSync(path.join(claim, "pid"), String(process.pid));
    process.once("exit", () => rmSync(claim, { recursive: true, force: true }));
    return `10.${octet}.0.0/16`;
  }
  throw new Error("no free test cluster CIDR: too many test processes hold one");
}

/** The subnets of every network on the Docker engine; none when there is no engine. */
function dockerSubnets(): string[] {
  const ids = spawnSync(DOCKER, ["network", "ls", "-q"], { encoding: "utf8" }).stdout?.split("\n").filter(Boolean) ?? [];
  if (!ids.length) return [];
  const out = spawnSync(DOCKER, ["network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{end}}", ...ids], { encoding: "utf8" }).stdout ?? "";
  return out.split(/\s+/).filter(Boolean);
}

function processAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Stops a child process and waits until it is gone: SIGTERM, then SIGKILL after `graceMs`. Tests
 * await this before removing an agent's Docker objects, or a still-running kubelet makes them again.
 * @example await stopProcess(agent);
 */
export async function stopProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface KubectlResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface TestServer {
  port: number;
  dataDir: string;
  kubeconfig: string;
  token: string;
  caPem: string;
  proc: ChildProcess;
  logs(): string;
  /** Runs kubectl with this server's kubeconfig and a private HOME/cache dir. */
  kubectl(args: string[], opts?: { minor?: number; input?: string; env?: Record<string, string>; timeoutMs?: number }): KubectlResult;
  /** Raw HTTPS request with the admin token. */
  request(method: string, urlPath: string, body?: string | Buffer, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  kill(): Promise<void>;
  cleanup(): void;
}

export interface StartOptions {
  dataDir?: string;
  /** Run the embedded agent (needs Docker) under this node name; default: --disable-agent. */
  embeddedAgentNode?: string;
  port?: number;
  args?: string[];
  readyTimeoutMs?: number;
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first`);
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "kube-lite-it-"));
  const home = mkdtempSync(path.join(os.tmpdir(), "kube-lite-home-"));
  const port = opts.port ?? (await freePort());
  const agentArgs = opts.embeddedAgentNode ? ["--node-name", opts.embeddedAgentNode] : ["--disable-agent"];
  const proc = spawn(process.execPath, [BUNDLE, "server", ...agentArgs, "--data-dir", dataDir, "--https-listen-port", String(port), "--bind-address", "127.0.0.1", ...(opts.args ?? [])], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, KUBE_LITE_LOG_LEVEL: process.env.KUBE_LITE_LOG_LEVEL ?? "info" },
  });
  let output = "";
  proc.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const kubeconfig = path.join(dataDir, "kubeconfig.yaml");
  const cleanupDirs = (): void => {
    rmSync(home, { recursive: true, force: true });
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
  let token = "";
  let caPem = "";
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      cleanupDirs();
      throw new Error(`server exited (${proc.exitCode ?? proc.signalCode}):\n${output}`);
    }
    if (existsSync(kubeconfig)) {
      try {
        const kc = parseYaml(readFileSync(kubeconfig, "utf8"));
        token = kc.users[0].user.token;
        caPem = Buffer.from(kc.clusters[0].cluster["certificate-authority-data"], "base64").toString();
        if (output.includes("kube-lite server is ready")) break;
      } catch {
        // kubeconfig being written
      }
    }
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      cleanupDirs();
      throw new Error(`server not ready in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const server: TestServer = {
    port,
    dataDir,
    kubeconfig,
    token,
    caPem,
    proc,
    logs: () => output,
    kubectl(args, o = {}) {
      const r = spawnSync(kubectlBinary(o.minor), args, {
        encoding: "utf8",
        input: o.input,
        timeout: o.timeoutMs ?? 60_000,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, KUBECONFIG: kubeconfig, KUBECACHEDIR: path.join(home, "cache"), ...(o.env ?? {}) },
      });
      return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
    },
    request(method, urlPath, body, headers = {}) {
      return new Promise((resolve, reject) => {
        const length = body === undefined ? {} : { "Content-Length": String(Buffer.byteLength(body)) };
        const req = https.request({ host: "127.0.0.1", port, method, path: urlPath, ca: caPem, headers: { Authorization: `Bearer ${token}`, ...length, ...headers } }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        });
        req.on("error", reject);
        if (body !== undefined) req.write(body);
        req.end();
      });
    },
    async stop(signal = "SIGTERM") {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill(signal);
      return exited;
    },
    async kill() {
      if (proc.exitCode !== null) return;
      proc.kill("SIGKILL");
      await exited;
    },
    cleanup() {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      cleanupDirs();
    },
  };
  return server;
}
