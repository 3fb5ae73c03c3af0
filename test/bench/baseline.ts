/**
 * Starts the bare Node HTTPS baseline (baseline-server.ts) as a child process. It is bundled with
 * esbuild to one CommonJS file first and run with plain `node`, like dist/kube-lite.cjs, so neither
 * side pays for a TypeScript loader.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildSync } from "esbuild";
import type { Target } from "./client.js";

/** How long the baseline may take to print its port. */
const BASELINE_START_TIMEOUT_MS = 10_000;

export interface BaselineServer {
  target: Target;
  pid: number;
  stop(): Promise<void>;
}

/**
 * @example
 *   const base = await startBaseline(certFile, keyFile, caPem);
 *   await runLoad({ target: base.target, ... });
 *   await base.stop();
 */
export async function startBaseline(certFile: string, keyFile: string, caPem: string): Promise<BaselineServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kube-lite-bench-baseline-"));
  const outfile = path.join(dir, "baseline-server.cjs");
  buildSync({ entryPoints: [path.join(benchDir(), "baseline-server.ts")], bundle: true, platform: "node", format: "cjs", target: "node20", outfile, logLevel: "error" });
  const proc = spawn(process.execPath, [outfile, certFile, keyFile], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  try {
    const port = await readPort(proc);
    return {
      target: { name: "bare node", port, caPem },
      pid: proc.pid!,
      async stop() {
        if (proc.exitCode === null) proc.kill("SIGTERM");
        await exited;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    proc.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function readPort(proc: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`baseline server did not start: ${out}`)), BASELINE_START_TIMEOUT_MS);
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`baseline server exited with ${code}: ${out}`));
    });
  });
}

/** This folder (the bench runs from the repo root through npm, or from anywhere with tsx). */
export function benchDir(): string {
  return path.resolve(import.meta.dirname);
}
