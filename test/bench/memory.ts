/**
 * Memory of a server process, read from outside: resident set size from /proc/<pid>/status, and
 * the resident part of WebAssembly memory from /proc/<pid>/smaps. V8 reserves each wasm memory as
 * one huge anonymous reservation (the 32-bit index space plus guard pages: about 10 GiB of address
 * space on x64), far larger than anything else a Node process maps, so such reservations are the
 * wasm heaps (SQLite's is the only big one in kube-lite). When the server answers
 * GET /debug/kube-lite/memory (process.memoryUsage() and the wasm heap size), that is used too.
 */
import { readFileSync } from "node:fs";
import type { BenchClient } from "./client.js";

/** Smallest guard taken for the rest of a wasm memory reservation (V8 reserves about 10 GiB for a 4 GiB index space plus guard). */
const WASM_RESERVATION_MIN_BYTES = 4 * 1024 ** 3;
/** Where the server reports its own memory, if it does (asked for in the benchmark report). */
export const MEMORY_DEBUG_PATH = "/debug/kube-lite/memory";

export interface ProcessMemory {
  rssBytes: number;
  /** Resident bytes of wasm memory mappings (from smaps). */
  wasmResidentBytes: number;
  /** Resident bytes of the node binary and shared libraries (from smaps). */
  fileBackedResidentBytes: number;
  /** What the server itself reports, when it has the debug endpoint. */
  reported?: ReportedMemory;
}

/** What GET /debug/kube-lite/memory answers (process.memoryUsage() and SQLite's wasm heap, in bytes). */
export interface ReportedMemory {
  rssBytes?: number;
  v8HeapTotalBytes?: number;
  v8HeapUsedBytes?: number;
  /** Size of SQLite's wasm memory (allocated, not necessarily resident); null when unknown. */
  wasmHeapBytes?: number | null;
  arrayBuffersBytes?: number;
  externalBytes?: number;
}

/**
 * VmRSS of a process in bytes.
 *
 * @example rssBytes(process.pid) // 52_000_000
 */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/**
 * VmHWM of a process in bytes: the largest RSS it has had.
 *
 * @example peakRssBytes(serverPid) // 91_000_000
 */
export function peakRssBytes(pid: number): number {
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmHWM for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/**
 * Resident bytes of the process's wasm memories (0 when it has none). In smaps a wasm memory is
 * an accessible anonymous mapping (the pages grown so far) directly followed by the inaccessible
 * rest of its reservation, a guard of at least WASM_RESERVATION_MIN_BYTES. Only the accessible
 * mappings right before such a guard count: glibc malloc arenas often sit next to the reservation.
 *
 * @example wasmResidentBytes(serverPid) // 9_437_184
 */
export function wasmResidentBytes(pid: number): number {
  return wasmResidentBytesInSmaps(readFileSync(`/proc/${pid}/smaps`, "utf8"));
}

/**
 * wasmResidentBytes over the text of an smaps file.
 *
 * @example wasmResidentBytesInSmaps(readFileSync("/proc/self/smaps", "utf8"))
 */
export function wasmResidentBytesInSmaps(smaps: string): number {
  const maps = parseSmaps(smaps);
  let total = 0;
  for (let i = 0; i < maps.length; i++) {
    const guard = maps[i]!;
    if (!guard.anonymous || guard.perms !== "---p" || guard.end - guard.start < BigInt(WASM_RESERVATION_MIN_BYTES)) continue;
    for (let j = i - 1; j >= 0; j--) {
      const m = maps[j]!;
      if (m.end !== maps[j + 1]!.start || !m.anonymous || m.perms === "---p") break;
      total += m.rssBytes;
    }
  }
  return total;
}

/**
 * Resident bytes of file-backed mappings (the node binary, shared libraries): code that every Node
 * process has, shared with other processes running the same files.
 *
 * @example fileBackedResidentBytesInSmaps(readFileSync("/proc/self/smaps", "utf8")) // 40_000_000
 */
export function fileBackedResidentBytesInSmaps(smaps: string): number {
  return parseSmaps(smaps)
    .filter((m) => m.name.startsWith("/"))
    .reduce((sum, m) => sum + m.rssBytes, 0);
}

interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
  /** No name at all (not even a pseudo name like [heap] or [stack]). */
  anonymous: boolean;
  /** The path or pseudo name after the inode column, or "". */
  name: string;
  rssBytes: number;
}

function parseSmaps(smaps: string): Mapping[] {
  const maps: Mapping[] = [];
  for (const line of smaps.split("\n")) {
    // start-end perms offset dev inode [name]
    const header = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+\S+\s+\S+\s+\d+\s*(.*)$/.exec(line);
    if (header) {
      const name = header[4]!.trim();
      maps.push({ start: BigInt(`0x${header[1]}`), end: BigInt(`0x${header[2]}`), perms: header[3]!, anonymous: name === "", name, rssBytes: 0 });
      continue;
    }
    const rss = /^Rss:\s+(\d+)\s+kB/.exec(line);
    if (rss && maps.length) maps[maps.length - 1]!.rssBytes += Number(rss[1]) * 1024;
  }
  return maps;
}

/**
 * RSS and wasm residency of `pid`, plus the server's own report when `client` can fetch it.
 *
 * @example const m = await measureMemory(server.proc.pid!, client);
 */
export async function measureMemory(pid: number, client?: BenchClient): Promise<ProcessMemory> {
  let reported: ReportedMemory | undefined;
  if (client) {
    const res = await client.request("GET", MEMORY_DEBUG_PATH).catch(() => undefined);
    if (res?.status === 200) {
      try {
        reported = JSON.parse(res.body) as ReportedMemory;
      } catch {
        reported = undefined;
      }
    }
  }
  const smaps = readFileSync(`/proc/${pid}/smaps`, "utf8");
  return { rssBytes: rssBytes(pid), wasmResidentBytes: wasmResidentBytesInSmaps(smaps), fileBackedResidentBytes: fileBackedResidentBytesInSmaps(smaps), reported };
}
