/**
 * The pod sandbox's only process: a static ELF executable, generated here byte by byte, that
 * sleeps forever in one system call. Nothing needs to be downloaded or compiled, and it runs on
 * every Docker host of the two architectures we ship (x86_64, aarch64), with an empty root
 * file system around it.
 *
 * It ignores SIGTERM (it is PID 1 in its PID namespace and installs no handler), so the sandbox
 * container is created with StopSignal SIGKILL. It sets SIGCHLD to "ignore, no zombies", so
 * orphans it inherits as the pod's PID 1 (shareProcessNamespace) are reaped by the kernel.
 */

export type PauseArch = "x86_64" | "aarch64";

/** Load address of the single segment (the conventional non-PIE base). */
const LOAD_ADDRESS = 0x400000n;
const ELF_HEADER_SIZE = 64;
const PROGRAM_HEADER_SIZE = 56;
const CODE_OFFSET = ELF_HEADER_SIZE + PROGRAM_HEADER_SIZE;

/** SIGCHLD (17 on both architectures) disposition SIG_IGN with SA_NOCLDWAIT: the kernel reaps children at once. */
const SIGACTION_IGNORE_CHILDREN = (() => {
  const act = Buffer.alloc(32); // struct sigaction: handler, flags, restorer, mask
  act.writeBigUInt64LE(1n, 0); // SIG_IGN
  act.writeBigUInt64LE(2n, 8); // SA_NOCLDWAIT
  return act;
})();

/**
 * Machine code of `sigaction(SIGCHLD, ignore + no-zombies); for (;;) pause();` per architecture.
 * With shareProcessNamespace the pause process is the pod's PID 1 and inherits orphans; ignoring
 * SIGCHLD makes the kernel reap them, so no zombies pile up (upstream's pause reaps with waitpid).
 */
function machineCode(arch: PauseArch): Buffer {
  if (arch === "x86_64") {
    const code = Buffer.from([
      0xbf, 0x11, 0x00, 0x00, 0x00, //             mov edi, 17 (SIGCHLD)
      0x48, 0x8d, 0x35, 0x1c, 0x00, 0x00, 0x00, // lea rsi, [rip+28] (the sigaction at offset 40)
      0x31, 0xd2, //                               xor edx, edx (no old action)
      0x41, 0xba, 0x08, 0x00, 0x00, 0x00, //       mov r10d, 8 (sigset size)
      0xb8, 0x0d, 0x00, 0x00, 0x00, //             mov eax, 13 (SYS_rt_sigaction)
      0x0f, 0x05, //                               syscall
      0xb8, 0x22, 0x00, 0x00, 0x00, //             loop: mov eax, 34 (SYS_pause)
      0x0f, 0x05, //                               syscall
      0xeb, 0xf7, //                               jmp loop
      0x00, 0x00, 0x00, 0x00, //                   padding: the sigaction is 8-byte aligned
    ]);
    return Buffer.concat([code, SIGACTION_IGNORE_CHILDREN]);
  }
  // aarch64 has no pause(2): ppoll(NULL, 0, NULL, NULL, 0) blocks the same way until a signal.
  const words = [
    0xd2800220, // mov x0, #17 (SIGCHLD)
    0x100001a1, // adr x1, #52 (the sigaction at offset 56)
    0xd2800002, // mov x2, #0 (no old action)
    0xd2800103, // mov x3, #8 (sigset size)
    0xd28010c8, // mov x8, #134 (SYS_rt_sigaction)
    0xd4000001, // svc #0
    0xd2800000, // loop: mov x0, #0
    0xd2800001, // mov x1, #0
    0xd2800002, // mov x2, #0
    0xd2800003, // mov x3, #0
    0xd2800004, // mov x4, #0
    0xd2800928, // mov x8, #73 (SYS_ppoll)
    0xd4000001, // svc #0
    0x17fffff9, // b loop (-7 instructions)
  ];
  const code = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => code.writeUInt32LE(w, i * 4));
  return Buffer.concat([code, SIGACTION_IGNORE_CHILDREN]);
}

/** ELF e_machine values. */
const MACHINE: Record<PauseArch, number> = { x86_64: 62, aarch64: 183 };

/**
 * The pause executable for `arch`, as a complete static ELF file.
 *
 * @example writeFileSync("pause", pauseBinary("x86_64"), { mode: 0o755 });
 */
export function pauseBinary(arch: PauseArch): Buffer {
  const code = machineCode(arch);
  const size = CODE_OFFSET + code.length;
  const elf = Buffer.alloc(size);
  // e_ident: magic, 64-bit, little endian, version 1, System V ABI.
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  elf.writeUInt16LE(2, 16); // e_type: ET_EXEC
  elf.writeUInt16LE(MACHINE[arch], 18);
  elf.writeUInt32LE(1, 20); // e_version
  elf.writeBigUInt64LE(LOAD_ADDRESS + BigInt(CODE_OFFSET), 24); // e_entry
  elf.writeBigUInt64LE(BigInt(ELF_HEADER_SIZE), 32); // e_phoff
  elf.writeBigUInt64LE(0n, 40); // e_shoff: no sections
  elf.writeUInt32LE(0, 48); // e_flags
  elf.writeUInt16LE(ELF_HEADER_SIZE, 52); // e_ehsize
  elf.writeUInt16LE(PROGRAM_HEADER_SIZE, 54); // e_phentsize
  elf.writeUInt16LE(1, 56); // e_phnum
  elf.writeUInt16LE(64, 58); // e_shentsize
  elf.writeUInt16LE(0, 60); // e_shnum
  elf.writeUInt16LE(0, 62); // e_shstrndx
  // The one PT_LOAD segment: the whole file, readable and executable.
  const ph = ELF_HEADER_SIZE;
  elf.writeUInt32LE(1, ph); // p_type: PT_LOAD
  elf.writeUInt32LE(5, ph + 4); // p_flags: R + X
  elf.writeBigUInt64LE(0n, ph + 8); // p_offset
  elf.writeBigUInt64LE(LOAD_ADDRESS, ph + 16); // p_vaddr
  elf.writeBigUInt64LE(LOAD_ADDRESS, ph + 24); // p_paddr
  elf.writeBigUInt64LE(BigInt(size), ph + 32); // p_filesz
  elf.writeBigUInt64LE(BigInt(size), ph + 40); // p_memsz
  elf.writeBigUInt64LE(0x1000n, ph + 48); // p_align
  code.copy(elf, CODE_OFFSET);
  return elf;
}

/**
 * Maps Docker's `Architecture` (from `docker info`) or Node's `process.arch` to ours.
 *
 * @example pauseArch("x86_64") === "x86_64"; pauseArch("arm64") === "aarch64"
 */
export function pauseArch(arch: string): PauseArch | undefined {
  if (arch === "x86_64" || arch === "amd64" || arch === "x64") return "x86_64";
  if (arch === "aarch64" || arch === "arm64") return "aarch64";
  return undefined;
}
