/**
 * The machine a benchmark ran on, for the report: numbers only mean something next to it.
 */
import { readFileSync } from "node:fs";
import os from "node:os";

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  kernel: string;
  node: string;
  date: string;
  /** 1-minute load average when the run started: above the CPU count, other work competed with it. */
  loadAverage: number;
}

/**
 * @example machineInfo().cpuModel // "Intel(R) Xeon(R) CPU @ 2.20GHz"
 */
export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? "unknown";
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) cpuModel = m[1]!.trim();
  } catch {
    // not Linux: os.cpus() is good enough
  }
  return {
    // What the benchmark may use (nproc honours CPU affinity).
    cpus: os.availableParallelism(),
    cpuModel,
    memoryBytes: os.totalmem(),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    date: new Date().toISOString(),
    loadAverage: os.loadavg()[0]!,
  };
}
