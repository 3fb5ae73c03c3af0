/**
 * Small helpers for the core/v1 table printers (upstream `pkg/printers/internalversion/printers.go`).
 */
import type { Container } from "kubernetes-types/core/v1.js";
import type { TableColumn } from "../types.js";

/**
 * A column definition as upstream writes them: string type unless told, priority 0 unless `-o wide` only.
 *
 * @example column("Ready", "The aggregate readiness state of this pod for accepting traffic.")
 */
export function column(name: string, description: string, priority: 0 | 1 = 0, type: TableColumn["type"] = "string"): TableColumn {
  return { name, type, format: "", description, priority };
}

/**
 * Names and images of a template's containers, comma-joined (upstream `layoutContainerCells`).
 *
 * @example containerCells([{ name: "web", image: "nginx" }, { name: "log", image: "busybox" }]) → ["web,log", "nginx,busybox"]
 */
export function containerCells(containers: Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(","), list.map((c) => c.image ?? "").join(",")];
}

/**
 * Persistent volume access modes in upstream's fixed order and short names (`GetAccessModesAsString`).
 *
 * @example accessModesString(["ReadWriteMany", "ReadWriteOnce"]) === "RWO,RWX"
 */
export function accessModesString(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  const out: string[] = [];
  if (set.has("ReadWriteOnce")) out.push("RWO");
  if (set.has("ReadOnlyMany")) out.push("ROX");
  if (set.has("ReadWriteMany")) out.push("RWX");
  if (set.has("ReadWriteOncePod")) out.push("RWOP");
  return out.join(",");
}

/** Upstream's quantity `String()` keeps the canonical form; stored JSON quantities are already strings. */
export function quantityString(q: string | number | undefined): string {
  return q === undefined ? "0" : String(q);
}
