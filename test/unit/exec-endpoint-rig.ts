/**
 * Test rig for the exec/attach endpoint without Docker: a real HTTP server with attachExecUpgrade,
 * the agent's kubelet stream handler on the other end of an in-memory stream pair (the tunnel), and
 * a runtime whose exec runs a local process. Used by the WebSocket and the SPDY exec tests.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Pod } from "kubernetes-types/core/v1.js";
import { pino } from "pino";
import { attachExecUpgrade, type PodExecEndpoint } from "../../src/server/apiserver/pod-exec.js";
import { kubeletStreamHandler } from "../../src/agent/kubelet/streaming/index.js";
import type { ContainerRuntime, ExecOptions, StreamSession } from "../../src/agent/kubelet/runtime/types.js";
import type { KubeletEndpoint } from "../../src/agent/tunnel/index.js";
import type { TunnelStream } from "../../src/shared/tunnel/index.js";
import type { KubeObject } from "../../src/shared/api/types.js";
import { notFound } from "../../src/shared/api/status.js";
import { duplexPair } from "./duplex-pair.js";

/** The node every rig pod is bound to. */
const NODE = "n1";

export interface ExecRig {
  server: http.Server;
  endpoint: PodExecEndpoint;
  port: number;
  /** Terminal sizes the runtime was asked for, in order. */
  resizes: { width: number; height: number }[];
  /** Local processes started by exec/attach, in order. */
  children: ChildProcess[];
  close(): void;
}

export interface ExecRigOptions {
  token: string;
  /** Pods by name, in namespace default. */
  pods: Record<string, Pod>;
  /** Containers of pod "web" as the runtime reports them. */
  containers: { containerName: string; state: "running" | "exited" }[];
}

/** A pod bound to the rig's node. @example rigPod("web", "Running", ["app"]) */
export function rigPod(name: string, phase: string, containers: string[]): Pod {
  return { metadata: { name, namespace: "default" }, spec: { nodeName: NODE, containers: containers.map((c) => ({ name: c })) }, status: { phase } };
}

/**
 * Starts the rig on a free 127.0.0.1 port. exec runs the command locally (`no-such-binary` fails as
 * Docker's exec does); attach runs a process that writes one line to stdout and one to stderr.
 * @example const rig = await startExecRig({ token, pods: { web: rigPod("web", "Running", ["app"]) }, containers: [{ containerName: "app", state: "running" }] });
 */
export async function startExecRig(opts: ExecRigOptions): Promise<ExecRig> {
  const quiet = pino({ level: "silent" });
  const resizes: ExecRig["resizes"] = [];
  const children: ChildProcess[] = [];
  const runLocal = (o: ExecOptions): StreamSession => {
    const child = spawn(o.command[0]!, o.command.slice(1), { stdio: "pipe" });
    children.push(child);
    const exitCode = new Promise<number>((resolve) => child.once("close", (code, signal) => resolve(code ?? (signal ? 137 : 1))));
    return {
      stdin: o.stdin ? child.stdin : null,
      stdout: o.stdout ? child.stdout : null,
      stderr: o.stderr && !o.tty ? child.stderr : null,
      resize: async (size) => {
        resizes.push(size);
      },
      exitCode,
      close: () => child.kill("SIGKILL"),
    };
  };
  const runtime = {
    async listPodContainers() {
      return [{ podUid: "u1", namespace: "default", name: "web", sandboxes: [], containers: opts.containers.map((c, i) => ({ ...c, id: `c${i + 1}`, restartCount: 0 })) }];
    },
    async exec(_id: string, o: ExecOptions): Promise<StreamSession> {
      if (o.command[0] === "no-such-binary") throw new Error('exec: "no-such-binary": executable file not found in $PATH');
      return runLocal(o);
    },
    async attach(_id: string, o: { stdin?: boolean; stdout?: boolean; stderr?: boolean }): Promise<StreamSession> {
      return runLocal({ ...o, command: ["sh", "-c", "echo attached; echo to-stderr >&2"] } as ExecOptions);
    },
  } as unknown as ContainerRuntime;

  const agentHandler = kubeletStreamHandler(runtime, quiet);
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const endpoint = attachExecUpgrade(server, {
    authenticate: (req) => (req.headers.authorization === `Bearer ${opts.token}` ? { username: "admin", groups: [] } : undefined),
    pods: {
      async get(_namespace: string, name: string) {
        const p = opts.pods[name];
        if (!p) throw notFound("", "pods", name);
        return p as unknown as KubeObject;
      },
    },
    tunnel: {
      openKubeletStream(node: string, meta: { path: string }) {
        assert.equal(node, NODE);
        const [serverEnd, agentEnd] = duplexPair();
        agentHandler(agentEnd as unknown as TunnelStream, { endpoint: meta.path.split("/")[1] as KubeletEndpoint, path: meta.path });
        return serverEnd as unknown as TunnelStream;
      },
    },
    log: quiet,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    server,
    endpoint,
    port: (server.address() as AddressInfo).port,
    resizes,
    children,
    close() {
      endpoint.close();
      server.close();
      for (const c of children) c.kill("SIGKILL");
    },
  };
}
