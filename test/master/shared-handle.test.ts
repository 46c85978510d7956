/**
 * Specifies SharedHandle (SCHED_NONE): the primary binds once, synchronously,
 * sends the same bound handle (or the bind's errno) to every worker, and closes
 * its own copy when the last worker leaves. A fake `create` binds nothing.
 */
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it, vi, type Mock } from 'vitest';
import type { RawHandle } from '../../src/ipc.ts';
import { SharedHandle, type CreateServerHandle } from '../../src/master/shared-handle.ts';
import type { AddCallback } from '../../src/master/round-robin-handle.ts';
import { Worker } from '../../src/worker.ts';
import { listenKey, queryServer } from '../fixtures/messages.ts';


function fakeWorker(id: number): Worker {
  const proc = Object.assign(new EventEmitter(), { connected: true, send: () => true });
  return new Worker({ id, process: proc as unknown as ChildProcess });
}

/** A bound, not listening, TCP handle. */
function boundHandle(): RawHandle & { close: Mock<() => void> } {
  return { close: vi.fn() };
}

/** A SharedHandle for `listen(0, '127.0.0.1')` whose bind returns `result`. */
function createShared(result: RawHandle | number) {
  const create = vi.fn<CreateServerHandle>(() => result);
  const shared = new SharedHandle(listenKey, '127.0.0.1', queryServer, create);
  return { shared, create };
}

describe('SharedHandle', () => {
  describe('when it is constructed', () => {
    it('binds at once with the address, port, addressType, fd and flags of the query', () => {
      const { create } = createShared(boundHandle());
      // Synchronous: no 'listening' to wait for, the primary never listens.
      expect(create).toHaveBeenCalledExactlyOnceWith('127.0.0.1', 0, 4, undefined, 0);
    });
  });

  describe('when the bind succeeds', () => {
    it('sends the same bound handle to every worker that adds itself', () => {
      const handle = boundHandle();
      const { shared } = createShared(handle);
      const sends = [vi.fn<AddCallback>(), vi.fn<AddCallback>(), vi.fn<AddCallback>()];
      sends.forEach((send, i) => expect(shared.add(fakeWorker(i + 1), send)).toBe(true));
      for (const send of sends) expect(send).toHaveBeenCalledExactlyOnceWith(0, null, handle);
      expect(handle.close).not.toHaveBeenCalled(); // each worker gets a dup; ours stays open
    });

    it('returns false for a worker that was already added', () => {
      const { shared } = createShared(boundHandle());
      const w1 = fakeWorker(1);
      shared.add(w1, () => {});
      const again = vi.fn<AddCallback>();
      expect(shared.add(w1, again)).toBe(false); // NODE: an assertion that kills the primary
      expect(again).not.toHaveBeenCalled();
    });
  });

  describe('when the bind fails', () => {
    it('reports the errno to each worker with no handle', () => {
      const { shared } = createShared(-98); // EADDRINUSE
      const send = vi.fn<AddCallback>();
      shared.add(fakeWorker(1), send);
      expect(send).toHaveBeenCalledExactlyOnceWith(-98, null, null);
      expect(shared.errno).toBe(-98);
      expect(shared.handle).toBeNull();
    });

    it('returns true when its only worker leaves', () => {
      const { shared } = createShared(-98);
      const w1 = fakeWorker(1);
      shared.add(w1, () => {});
      expect(shared.remove(w1)).toBe(true);
    });
  });

  describe('when a worker is removed', () => {
    it('keeps its copy of the socket while other workers remain', () => {
      const handle = boundHandle();
      const { shared } = createShared(handle);
      const [w1, w2] = [fakeWorker(1), fakeWorker(2)];
      shared.add(w1, () => {});
      shared.add(w2, () => {});
      expect(shared.remove(w1)).toBe(false);
      expect(handle.close).not.toHaveBeenCalled();
      expect(shared.handle).toBe(handle);
    });

    it('closes its copy and returns true when the last worker leaves', () => {
      const handle = boundHandle();
      const { shared } = createShared(handle);
      const [w1, w2] = [fakeWorker(1), fakeWorker(2)];
      shared.add(w1, () => {});
      shared.add(w2, () => {});
      shared.remove(w1);
      expect(shared.remove(w2)).toBe(true);
      expect(handle.close).toHaveBeenCalledOnce();
      expect(shared.handle).toBeNull();
    });

    it('returns false for a worker it does not know', () => {
      const handle = boundHandle();
      const { shared } = createShared(handle);
      shared.add(fakeWorker(1), () => {});
      expect(shared.remove(fakeWorker(2))).toBe(false);
      expect(handle.close).not.toHaveBeenCalled();
    });
  });
});
