// Is the process behind a running task instance still alive? Stale heartbeats and dead pids say no.
import { hostname } from 'node:os';

export const HOSTNAME = hostname();

/** True when a process with this pid exists on this host (EPERM: it exists but belongs to someone else). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Holder {
  ownerId: string | null;
  pid: number | null;
  hostname: string | null;
  heartbeatAt: string | null;
}

export interface LivenessProbe {
  now: Date;
  staleAfterMs: number;
  hostname: string;
  pid: number;
  /** Executors alive in this process: a holder with our pid but another owner id is a previous process's. */
  liveOwnerIds: ReadonlySet<string>;
  isPidAlive(pid: number): boolean;
}

/** Why a holder is gone, or null while it looks alive. */
export function staleReason(holder: Holder, probe: LivenessProbe): string | null {
  const who = `process ${holder.pid ?? '?'} on ${holder.hostname ?? '?'}`;
  if (holder.hostname === probe.hostname && holder.pid !== null) {
    if (holder.pid === probe.pid) {
      if (holder.ownerId === null || !probe.liveOwnerIds.has(holder.ownerId))
        return `${who} ended (its pid is now this process)`;
      return null;
    }
    if (!probe.isPidAlive(holder.pid)) return `${who} is no longer running`;
  }
  const last = holder.heartbeatAt ? Date.parse(holder.heartbeatAt) : Number.NaN;
  if (Number.isNaN(last) || probe.now.getTime() - last > probe.staleAfterMs)
    return `${who} stopped heartbeating (last ${holder.heartbeatAt ?? 'never'})`;
  return null;
}
