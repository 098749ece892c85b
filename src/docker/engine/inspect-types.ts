/** The parts of `docker inspect` (container) output the plugin reads. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Created: string;
  Image: string;
  RestartCount: number;
  State: {
    Status: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
    Running: boolean;
    Restarting: boolean;
    OOMKilled: boolean;
    Dead: boolean;
    Pid: number;
    ExitCode: number;
    Error: string;
    StartedAt: string;
    FinishedAt: string;
  };
  Config: {
    Image: string;
    Labels: Record<string, string> | null;
  };
  /** The memory limit in bytes (0: none); only a container with one is held for its oom event. */
  HostConfig?: { Memory?: number };
  /** The plugin's own note of the last time Docker saw it exit (from `die` events): Docker clears ExitCode on restart. */
  LastExit?: { ExitCode: number; OOMKilled: boolean; At: string; PreviousAt?: string };
  /** The plugin's own note of the message of its last exit (view/termination-messages.ts), as bytes. */
  TerminationMessage?: Buffer;
  NetworkSettings?: {
    IPAddress?: string;
    Networks?: Record<string, { IPAddress?: string }> | null;
  };
}

/** Docker's zero time: the container never started (or never finished). */
export function isZeroTime(t: string | undefined): boolean {
  return !t || t.startsWith('0001-01-01');
}
