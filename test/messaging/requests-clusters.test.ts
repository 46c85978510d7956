// Request/response and broadcast with real processes, the same scenario
// programs against node:cluster and mini-cluster: the layer uses only the
// public cluster API, so both must give the same outcomes.
import { beforeAll, describe, expect, it } from 'vitest';
import { runMessaging, type Impl, type MessagingRun } from '../fixtures/messaging/run.ts';

describe.each<Impl>(['node', 'mini'])('messaging over %s cluster', (impl) => {
  let roundtrip: MessagingRun;
  let death: MessagingRun;
  beforeAll(async () => {
    [roundtrip, death] = [await runMessaging('roundtrip', impl), await runMessaging('death', impl)];
  }, 60_000);

  describe('requests', () => {
    it('match replies by id when the answers come in another order, both ways', () => {
      const r = roundtrip.result;
      // The worker's four requests settled 42 (at once), then 100, 200, 300 ms: each got its own answer.
      expect(r.workerAsks, roundtrip.stderr).toEqual([{ ok: { n: 42, from: 1 } }, { ok: 100 }, { ok: 200 }, { ok: 300 }]);
      expect(r.settledOrder).toEqual([100, 200, 300]);
    });

    it('carry a socket with a request: the worker answers the primary\'s client on it', () => {
      expect(roundtrip.result.heard).toBe(`hello from ${roundtrip.result.w1pid}`);
      expect(roundtrip.result.greeter).toBe(roundtrip.result.w1pid);
    });

    it('time out with an error naming the request, then count the late reply', () => {
      const r = roundtrip.result;
      expect(r.timedOut).toEqual({ code: 'ERR_REQUEST_TIMEOUT', message: 'request "wait" #6 to worker 2 timed out after 100 ms' });
      expect(r.timeoutMs).toBeGreaterThanOrEqual(99);
      expect(r.timeoutMs).toBeLessThan(400); // the answer was 400 ms away
      expect(r.afterLate).toMatchObject({ timedOut: 1, late: 1, pending: 0 });
    });

    it("time out a worker's request to the primary, and refuse a type nobody handles at once, both ways", () => {
      const r = roundtrip.result;
      expect(r.workerTimeout).toEqual([
        { code: 'ERR_NO_HANDLER', message: 'request "nobody" #3 to the primary failed: the primary has no handler for "nobody"' },
        { code: 'ERR_REQUEST_TIMEOUT', message: 'request "never" #2 to the primary timed out after 150 ms' },
      ]);
      expect(r.noHandler).toEqual({ code: 'ERR_NO_HANDLER', message: 'request "nobody" #8 to worker 1 failed: worker 1 has no handler for "nobody"' });
    });

    it("take no lookalike for the pending request's reply, and hide none of them from the user's listener", () => {
      const r = roundtrip.result;
      expect(r.noisy).toBe('real');
      for (const message of [...r.lookalikes, ...r.garbage]) expect(r.userSaw).toContainEqual(message);
      // Only the messages with our exact cmd count: three malformed, one well formed for an id never issued.
      expect(r.delta).toEqual({ malformed: 3, unknown: 1, late: 0 });
      expect(roundtrip.stderr).toContain('worker 1 sent a malformed mini-cluster message (mini-cluster:reply: id is not a positive integer); ignored [1 so far]');
      expect(roundtrip.code).toBe(0);
    });
  });

  describe('a worker that leaves mid-request', () => {
    it('rejects both of its pending requests when it is SIGKILLed, within moments, not at the 10 s timeout', () => {
      const { onKill } = death.result;
      expect(onKill.map((r: any) => r.code), death.stderr).toEqual(['ERR_PEER_GONE', 'ERR_PEER_GONE']);
      expect(onKill[0].message).toMatch(/^request "wait" #1 to worker 1 failed: worker 1 (disconnected|exited \(SIGKILL\)) before replying$/);
      for (const r of onKill) expect(r.ms).toBeGreaterThanOrEqual(190); // the kill came at 200 ms
      for (const r of onKill) expect(r.ms).toBeLessThan(2_000);
    });

    it('rejects both when the primary disconnects it', () => {
      const { onDisconnect } = death.result;
      expect(onDisconnect.map((r: any) => r.message)).toEqual([
        'request "wait" #3 to worker 2 failed: worker 2 disconnected before replying',
        'request "wait" #4 to worker 2 failed: worker 2 disconnected before replying',
      ]);
      for (const r of onDisconnect) expect(r.ms).toBeLessThan(2_000);
    });
  });

  describe('broadcast', () => {
    it('reaches the other workers when one is dying and still listed, where a plain send() emits an error', () => {
      const { broadcast, heard, ids } = death.result;
      const [victim, ...survivors] = ids as number[];
      expect(broadcast.listed, 'the dying worker is still in cluster.workers').toBe(true);
      expect(broadcast.connected).toBe(false);
      expect(broadcast.result).toEqual({ type: 'roll-call', delivered: survivors, failed: [{ id: victim, error: 'its IPC channel is closed' }] });
      expect(broadcast.plain).toBe('ERR_IPC_CHANNEL_CLOSED');
      expect(heard.map((h: any) => h.from).sort()).toEqual(survivors);
      expect(death.code).toBe(0);
    });
  });
});
