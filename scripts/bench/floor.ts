/**
 * A bare node:http server (floor-server.mjs), started with the sidecar's node flags: the cost of
 * being polled that any Node server pays on this machine, measured in the same run as the plugin.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SidecarClient, startNodeFlags } from './sidecar.ts';

export interface FloorServer {
  pid: number;
  client: SidecarClient;
  stop(): void;
}

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Starts the floor server answering `answer` to every request. */
export async function startFloorServer(answer: string, repoDir = REPO): Promise<FloorServer> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
  const file = join(dir, 'answer.json');
  writeFileSync(file, answer);
  const child = spawn(
    process.execPath,
    [...startNodeFlags(repoDir), join(repoDir, 'scripts/bench/floor-server.mjs'), file],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.once('exit', (code) => reject(new Error(`the floor server exited (code ${code})`)));
  });
  const client = new SidecarClient('127.0.0.1', port);
  return {
    pid: child.pid as number,
    client,
    stop() {
      client.close();
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
