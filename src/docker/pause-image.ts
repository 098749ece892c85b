/**
 * The pod sandbox holds the pod's network namespace, as a kubelet's pause container does.
 * No registry can be assumed, so the plugin makes its own tiny image: a static ELF whose only
 * work is to wait forever (pause(2) on x86-64, ppoll(2) on arm64), imported with `docker import`.
 */
import type { DockerCli } from './docker-cli.ts';

export const BUILTIN_PAUSE_IMAGE = 'interlink-docker-plugin/pause:1';

const ARCH = {
  // mov eax,34 (pause); syscall; jmp back
  x64: { machine: 0x3e, code: [0xb8, 0x22, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xf7] },
  // mov x0..x3,#0; mov x8,#73 (ppoll); svc #0; b back
  arm64: {
    machine: 0xb7,
    code: [0xd2800000, 0xd2800001, 0xd2800002, 0xd2800003, 0xd2800928, 0xd4000001, 0x17fffffa].flatMap(
      (w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff],
    ),
  },
} as const;

/** A minimal static ELF64 executable: one header, one loadable segment, the code. */
export function pauseElf(arch: keyof typeof ARCH): Buffer {
  const { machine, code } = ARCH[arch];
  const base = 0x400000;
  const headerSize = 64 + 56;
  const buf = Buffer.alloc(headerSize + code.length);
  buf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELF, 64-bit, little endian, SysV
  buf.writeUInt16LE(2, 16); // ET_EXEC
  buf.writeUInt16LE(machine, 18);
  buf.writeUInt32LE(1, 20);
  buf.writeBigUInt64LE(BigInt(base + headerSize), 24); // entry
  buf.writeBigUInt64LE(64n, 32); // program headers right after this header
  buf.writeUInt16LE(64, 52);
  buf.writeUInt16LE(56, 54);
  buf.writeUInt16LE(1, 56);
  buf.writeUInt32LE(1, 64); // PT_LOAD
  buf.writeUInt32LE(5, 68); // R+X
  buf.writeBigUInt64LE(BigInt(base), 80);
  buf.writeBigUInt64LE(BigInt(base), 88);
  buf.writeBigUInt64LE(BigInt(buf.length), 96);
  buf.writeBigUInt64LE(BigInt(buf.length), 104);
  buf.writeBigUInt64LE(0x1000n, 112);
  buf.set(code, headerSize);
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
  const present = await docker.run(['image', 'inspect', '--format', '{{.Id}}', image]).then(
    () => true,
    () => false,
  );
  if (present) return;
  if (image !== BUILTIN_PAUSE_IMAGE) {
    await docker.run(['pull', image]);
    return;
  }
  const arch = process.arch === 'arm64' ? 'arm64' : process.arch === 'x64' ? 'x64' : undefined;
  if (!arch)
    throw new Error(`no built-in pause image for ${process.arch}: set PLUGIN_PAUSE_IMAGE to a pause image`);
  const tar = singleFileTar('pause', pauseElf(arch));
  await docker.run(['import', '--change', 'ENTRYPOINT ["/pause"]', '-', image], { input: tar });
}
