/**
 * The promise-returning file operations the agent uses, made from Node's callback `fs` API with
 * the same signatures as `node:fs/promises` (file descriptors instead of FileHandles). Loading
 * `node:fs/promises` itself also loads Node's readline and directory modules (for
 * FileHandle.readLines and opendir, which the agent never calls): 0.3 MB of the agent's RSS,
 * measured by loading the agent bundle with and without it. Nothing in src/agent imports
 * `node:fs/promises` or reads the `promises` property of `fs` (test/unit/fs-async.test.ts checks).
 *
 * @example await mkdir(dir, { recursive: true }); await writeFile(path.join(dir, "key"), value);
 */
import fs from "node:fs";
import { promisify } from "node:util";

export const chmod = promisify(fs.chmod);
export const close = promisify(fs.close);
export const fsync = promisify(fs.fsync);
export const mkdir = promisify(fs.mkdir);
export const open = promisify(fs.open);
export const readdir = promisify(fs.readdir);
export const readFile = promisify(fs.readFile);
export const rename = promisify(fs.rename);
export const rm = promisify(fs.rm);
export const stat = promisify(fs.stat);
export const writeFile = promisify(fs.writeFile);
