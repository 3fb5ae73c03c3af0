/**
 * Integration-test harness: starts the real bundled server (dist/kube-lite.cjs) on a free port with a
 * temporary data dir, waits until it is ready, and runs the real kubectl against it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import https from "node:https";
import { parse as parseYaml } from "yaml";

export const REPO = path.resolve(import.meta.dirname, "../..");
export const BUNDLE = path.join(REPO, "dist", "kube-lite.cjs");
export const KUBECTL_DIR = "/usr/lib/google-cloud-sdk/bin";

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
