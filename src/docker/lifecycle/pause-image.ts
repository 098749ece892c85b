/**
 * The pod sandbox holds the pod's network namespace, as a kubelet's pause container does.
 * No registry can be assumed, so the plugin makes its own tiny image: a static ELF that waits
 * forever, imported with `docker import`. As PID 1 of its container it gets no default signal
 * action, so it installs a handler for SIGTERM and SIGINT that exits 0, as Kubernetes' pause does:
 * without it every sandbox waits out `docker stop`'s grace period and is then killed.
 */
import type { DockerCli } from '../engine/docker-cli.ts';
import { imageExists, importImage, pullImage } from '../engine/docker-verbs.ts';

// The tag changes with the program, so hosts that built an older image build this one.
export const BUILTIN_PAUSE_IMAGE = 'interlink-docker-plugin/pause:2';

const BASE = 0x400000;
const HEADER_SIZE = 64 + 56;
const SIGNALS = [15, 2]; // SIGTERM, SIGINT
const SA_RESTORER = 0x04000000;

const u32 = (...words: number[]) =>
  words.flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff]);
const u64 = (n: number) => [...u32(n), 0, 0, 0, 0];

/**
 * x86-64: rt_sigaction(sig, &act, NULL, 8) for each signal, then pause(2) in a loop. The handler
 * is exit_group(0); x86-64 needs SA_RESTORER to deliver a signal, so the restorer is the same code.
 */
function x64(): number[] {
  const perSignal = 25;
  const loopAt = SIGNALS.length * perSignal;
  const exitAt = loopAt + 9;
  const actAt = exitAt + 9;
  const exitAddr = BASE + HEADER_SIZE + exitAt;
  const actAddr = BASE + HEADER_SIZE + actAt;
  const install = SIGNALS.flatMap((sig) => [
    0xbe,
    ...u32(actAddr), // mov esi, act
    0xbf,
    ...u32(sig), // mov edi, sig
    0x31,
    0xd2, // xor edx, edx
    0x41,
    0xba,
    ...u32(8), // mov r10d, 8 (sigsetsize)
    0xb8,
    ...u32(13), // mov eax, 13 (rt_sigaction)
    0x0f,
    0x05, // syscall
  ]);
  const pauseLoop = [0xb8, ...u32(34), 0x0f, 0x05, 0xeb, 0xf7]; // mov eax,34 (pause); syscall; jmp back
  const exit = [0x31, 0xff, 0xb8, ...u32(231), 0x0f, 0x05]; // xor edi,edi; mov eax,231 (exit_group); syscall
  const act = [...u64(exitAddr), ...u64(SA_RESTORER), ...u64(exitAddr), ...u64(0)];
  return [...install, ...pauseLoop, ...exit, ...act];
}

/** arm64: the same with rt_sigaction (134), ppoll(2) (73) as the wait, exit_group (94). */
function arm64(): number[] {
  const movz = (rd: number, imm: number) => 0xd2800000 | (imm << 5) | rd;
  const svc = 0xd4000001;
  const perSignal = 6;
  const loopAt = SIGNALS.length * perSignal;
  const exitAt = loopAt + 7;
  const actAt = exitAt + 3;
  // adr x1, act: a PC-relative address, counted from the adr instruction itself.
  const adrX1 = (at: number) => {
    const d = (actAt - at) * 4;
    return 0x10000000 | ((d & 3) << 29) | (((d >> 2) & 0x7ffff) << 5) | 1;
  };
  const install = SIGNALS.flatMap((sig, i) => [
    movz(0, sig),
    adrX1(i * perSignal + 1),
    movz(2, 0),
    movz(3, 8),
    movz(8, 134),
    svc,
  ]);
  // mov x0..x3,#0; mov x8,#73 (ppoll); svc #0; b back
  const waitLoop = [movz(0, 0), movz(1, 0), movz(2, 0), movz(3, 0), movz(8, 73), svc, 0x17fffffa];
  const exit = [movz(0, 0), movz(8, 94), svc];
  const exitAddr = BASE + HEADER_SIZE + exitAt * 4;
  const act = [...u64(exitAddr), ...u64(SA_RESTORER), ...u64(exitAddr), ...u64(0)];
  return [...u32(...install, ...waitLoop, ...exit), ...act];
}

const ARCH = { x64: { machine: 0x3e, code: x64 }, arm64: { machine: 0xb7, code: arm64 } } as const;

/** A minimal static ELF64 executable: one header, one loadable segment, the code. */
export function pauseElf(arch: keyof typeof ARCH): Buffer {
  const machine = ARCH[arch].machine;
  const code = ARCH[arch].code();
  const buf = Buffer.alloc(HEADER_SIZE + code.length);
  buf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELF, 64-bit, little endian, SysV
  buf.writeUInt16LE(2, 16); // ET_EXEC
  buf.writeUInt16LE(machine, 18);
  buf.writeUInt32LE(1, 20);
  buf.writeBigUInt64LE(BigInt(BASE + HEADER_SIZE), 24); // entry
  buf.writeBigUInt64LE(64n, 32); // program headers right after this header
  buf.writeUInt16LE(64, 52);
  buf.writeUInt16LE(56, 54);
  buf.writeUInt16LE(1, 56);
  buf.writeUInt32LE(1, 64); // PT_LOAD
  buf.writeUInt32LE(5, 68); // R+X
  buf.writeBigUInt64LE(BigInt(BASE), 80);
  buf.writeBigUInt64LE(BigInt(BASE), 88);
  buf.writeBigUInt64LE(BigInt(buf.length), 96);
  buf.writeBigUInt64LE(BigInt(buf.length), 104);
  buf.writeBigUInt64LE(0x1000n, 112);
  buf.set(code, HEADER_SIZE);
  return buf;
}

/** A ustar archive holding one executable file at /pause. */
export function singleFileTar(name: string, content: Buffer, mode = 0o755): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'utf8');
  header.write(`${mode.toString(8).padStart(7, '0')}\0`, 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148); // checksum is computed with spaces here
  header.write('0', 156);
  header.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

/** Makes sure the sandbox image exists; builds the built-in one when it is missing. */
export async function ensurePauseImage(docker: DockerCli, image: string): Promise<void> {
  if (await imageExists(docker, image)) return;
  if (image !== BUILTIN_PAUSE_IMAGE) {
    await pullImage(docker, image);
    return;
  }
  const arch = process.arch === 'arm64' ? 'arm64' : process.arch === 'x64' ? 'x64' : undefined;
  if (!arch)
    throw new Error(`no built-in pause image for ${process.arch}: set PLUGIN_PAUSE_IMAGE to a pause image`);
  const tar = singleFileTar('pause', pauseElf(arch));
  await importImage(docker, tar, image, ['/pause']);
}
