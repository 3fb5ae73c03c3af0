/**
 * Small file helpers for secrets on disk: private directories, atomic writes with a mode, and reads that
 * treat "missing" as `undefined`. Used by TLS material, tokens and the kubeconfig.
 */
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";

/** Mode for files holding keys or tokens: owner read/write only. */
export const SECRET_FILE_MODE = 0o600;
/** Mode for directories holding secrets: owner only. */
export const SECRET_DIR_MODE = 0o700;

/**
 * Creates `dir` (and parents) and sets it to mode 0700.
 * @example await ensurePrivateDir("/var/lib/kube-lite/server/tls")
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: SECRET_DIR_MODE });
  await fs.chmod(dir, SECRET_DIR_MODE);
}

/**
 * Writes `data` to `file` atomically: a temp file in the same directory with `mode`, fsync, then rename,
 * so a crash never leaves a half-written key or kubeconfig. Creates the parent directory if needed.
 * @example await writeFileAtomic("/x/admin.token", token + "\n", SECRET_FILE_MODE)
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode: number): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await fs.open(tmp, "wx", mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode); // the umask may have narrowed or the caller wants a wider mode
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Reads a UTF-8 file, or `undefined` when it does not exist.
 * @example const pem = await readFileIfExists(path.join(dir, "server-ca.crt"))
 */
export async function readFileIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}
