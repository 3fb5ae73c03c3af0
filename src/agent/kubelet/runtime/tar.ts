/**
 * Writes a minimal POSIX ustar archive in memory: enough to hand Docker a root file system of a
 * few small files (`docker import`), with no dependency.
 */

export interface TarEntry {
  /** Path inside the archive, without a leading slash (ustar limit: 100 bytes). */
  name: string;
  data: Buffer;
  mode: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

/**
 * A tar archive holding `entries` as regular files owned by root.
 *
 * @example const rootfs = tarArchive([{ name: "pause", data: pauseBinary("x86_64"), mode: 0o755 }]);
 */
export function tarArchive(entries: TarEntry[], mtime = 0): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (Buffer.byteLength(e.name) > 100) throw new Error(`tar: name too long: ${e.name}`);
    const header = Buffer.alloc(BLOCK);
    header.write(e.name, 0, 100, "utf8");
    header.write(octal(e.mode & 0o7777, 8), 100, "ascii");
    header.write(octal(0, 8), 108, "ascii"); // uid
    header.write(octal(0, 8), 116, "ascii"); // gid
    header.write(octal(e.data.length, 12), 124, "ascii");
    header.write(octal(mtime, 12), 136, "ascii");
    header.fill(" ", 148, 156); // checksum placeholder: spaces while summing
    header.write("0", 156, "ascii"); // regular file
    header.write("ustar\0", 257, "ascii");
    header.write("00", 263, "ascii");
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(octal(sum, 7) + " ", 148, "ascii");
    parts.push(header, e.data);
    const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
