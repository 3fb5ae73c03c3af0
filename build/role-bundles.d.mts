// Types for build/role-bundles.mjs (imported by build.mjs and by tests).
import type { Plugin } from "esbuild";
export const ROLES: Record<"server" | "agent", { folder: string; file: string }>;
export function rolesPlugin(modules: Partial<Record<"server" | "agent", Set<string>>>): Plugin;
export function roleEntrySource(modules: Iterable<string>): string;
