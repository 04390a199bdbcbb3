import { describe, expect, it } from 'vitest';
import { isPidAlive, type LivenessProbe, staleReason } from './liveness.js';

const probe: LivenessProbe = {
  now: new Date('2024-01-01T00:01:00Z'),
  staleAfterMs: 30_000,
  hostname: 'here',
  pid: 100,
  liveOwnerIds: new Set(['me']),
  isPidAlive: (pid) => pid === 200,
};
const fresh = '2024-01-01T00:00:50Z';

describe('staleReason', () => {
  it('a live pid on this host with a fresh heartbeat is alive', () => {
    expect(staleReason({ ownerId: 'x', pid: 200, hostname: 'here', heartbeatAt: fresh }, probe)).toBeNull();
  });
  it('a dead pid on this host is stale at once', () => {
    expect(staleReason({ ownerId: 'x', pid: 300, hostname: 'here', heartbeatAt: fresh }, probe)).toMatch(
      /no longer running/,
    );
  });
  it('another host is judged by its heartbeat', () => {
    expect(staleReason({ ownerId: 'x', pid: 300, hostname: 'there', heartbeatAt: fresh }, probe)).toBeNull();
    expect(
      staleReason({ ownerId: 'x', pid: 300, hostname: 'there', heartbeatAt: '2024-01-01T00:00:20Z' }, probe),
    ).toMatch(/stopped heartbeating/);
  });
  it('our own pid under an owner that is not alive here is a previous process', () => {
    expect(staleReason({ ownerId: 'me', pid: 100, hostname: 'here', heartbeatAt: fresh }, probe)).toBeNull();
    expect(staleReason({ ownerId: 'old', pid: 100, hostname: 'here', heartbeatAt: fresh }, probe)).toMatch(
      /ended/,
    );
  });
  it('isPidAlive knows this process', () => {
    expect(isPidAlive(process.pid)).toBe(true);
  });
});
