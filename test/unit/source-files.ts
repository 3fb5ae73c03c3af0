/**
 * The TypeScript sources of folders of this repository, for tests that guard a convention across the
 * code (what a build shortcut or a memory saving relies on).
 *
 * @example for (const { file, text } of sourceFiles("src/agent")) assert.doesNotMatch(text, /node:fs\/promises/, file);
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.join(import.meta.dirname, "..", "..");

export interface SourceFile {
  /** Path from the repository root, e.g. src/agent/tunnel/join.ts. */
  file: string;
  text: string;
}

export function sourceFiles(...folders: string[]): SourceFile[] {
  const found: SourceFile[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) found.push({ file: p, text: readFileSync(path.join(ROOT, p), "utf8") });
    }
  };
  for (const folder of folders) walk(folder);
  return found;
}
