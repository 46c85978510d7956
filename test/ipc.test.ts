/**
 * Specifies the internal message layer: how sendHelper tags and numbers
 * messages, how internal() routes a reply to the callback of its request, and
 * what happens to requests whose peer goes away. Fake channels only.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, expectTypeOf, it, vi, type Mock } from 'vitest';
import {
  CMD, dropPendingRequests, internal, sendHelper, type Act, type Channel, type Envelope, type RawHandle, type ReplyCallback,
} from '../src/ipc.ts';
import { onmessage } from '../src/master/onmessage.ts';
import { cluster, handles, type AnyHandle } from '../src/master/primary.ts';
import type { Worker } from '../src/worker.ts';
import {
  close, exitedAfterDisconnect, listenKey, listening, newconn, newconnAccepted, online, queryServer, sockname,
} from './fixtures/messages.ts';

type FakePeer = Channel & { send: Mock<(message: Envelope, ...rest: unknown[]) => boolean> };

/** One end of an IPC channel that records what is sent through it. */
function peer(connected = true): FakePeer {
  return { connected, send: vi.fn(() => true) };
}

/** The worker a listener is built for; `internal()` only needs its `process`. */
function workerOn(proc: Channel): { id: number; process: Channel } {
  return { id: 1, process: proc };
}

/** The envelope of the n-th message sent through `p`. */
const sentTo = (p: FakePeer, n = 0): Envelope => p.send.mock.calls[n][0];

const nextTick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

describe('the internal message layer', () => {
  describe('sendHelper()', () => {
    it('wraps the message with the NODE_MINI_CLUSTER cmd and a seq', () => {
      const p = peer();
      sendHelper(p, { act: 'online' });
      expect(sentTo(p)).toEqual({ ...online, seq: sentTo(p).seq });
      expect(sentTo(p).cmd).toBe('NODE_MINI_CLUSTER');
      expect(Number.isInteger(sentTo(p).seq)).toBe(true);
    });

    it('increments seq by one per message across all destinations', () => {
      const [a, b] = [peer(), peer()];
      sendHelper(a, { act: 'online' });
      sendHelper(b, { act: 'online' });
      sendHelper(a, { act: 'online' }, null, () => {});
      const first = sentTo(a, 0).seq;
      expect([sentTo(a, 0).seq, sentTo(b, 0).seq, sentTo(a, 1).seq]).toEqual([first, first + 1, first + 2]);
    });

    // A failed write is swallowed (DIVERGENCE): the peer's 'disconnect' cleans up.
    it('passes the handle, an options object and an error callback to the channel', () => {
      const p = peer();
      const handle: RawHandle = { close() {} };
      expect(sendHelper(p, { act: 'newconn', key: newconn.key }, handle)).toBe(true);
      expect(p.send).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ act: 'newconn' }), handle, {}, expect.any(Function));
    });

    it('keeps the callback until the reply to that seq arrives', () => {
      const p = peer();
      const cb = vi.fn<ReplyCallback>();
      sendHelper(p, { act: 'newconn', key: newconn.key }, null, cb);
      expect(cb).not.toHaveBeenCalled();
      const reply = { ...newconnAccepted, ack: sentTo(p).seq };
      internal(workerOn(p), () => {})(reply);
      expect(cb).toHaveBeenCalledExactlyOnceWith(reply, undefined);
    });

    describe('when the peer is disconnected', () => {
      it('returns false and sends nothing', () => {
        const p = peer(false);
        expect(sendHelper(p, { act: 'online' })).toBe(false);
        expect(p.send).not.toHaveBeenCalled();
      });

      it('returns false for a peer that has no IPC channel at all', () => {
        expect(sendHelper({ connected: true }, { act: 'online' }, null, () => {})).toBe(false);
      });

      // Node returns false and never calls the callback, so whatever it holds
      // (a client handle, in round robin) leaks.
      it('answers the callback with null on the next tick (DIVERGENCE: Node never calls it)', async () => {
        const cb = vi.fn<ReplyCallback>();
        sendHelper(peer(false), { act: 'newconn', key: newconn.key }, null, cb);
        expect(cb).not.toHaveBeenCalled(); // never synchronously: the caller has not finished yet
        await nextTick();
        expect(cb).toHaveBeenCalledExactlyOnceWith(null);
      });
    });
  });

  describe('internal()', () => {
    it('routes a reply to the callback of its request, not to the handler', () => {
      const p = peer();
      const cb = vi.fn<ReplyCallback>();
      const handler = vi.fn();
      sendHelper(p, { act: 'newconn', key: newconn.key }, null, cb);
      const handle: RawHandle = { close() {} };
      internal(workerOn(p), handler)({ ...newconnAccepted, ack: sentTo(p).seq }, handle);
      expect(cb).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ accepted: true }), handle);
      expect(handler).not.toHaveBeenCalled();
    });

    it('runs a callback only once, then hands a repeated reply to the handler', () => {
      const p = peer();
      const cb = vi.fn<ReplyCallback>();
      const handler = vi.fn();
      const onInternal = internal(workerOn(p), handler);
      sendHelper(p, { act: 'newconn', key: newconn.key }, null, cb);
      const reply = { ...newconnAccepted, ack: sentTo(p).seq };
      onInternal(reply);
      onInternal(reply);
      expect(cb).toHaveBeenCalledOnce();
      expect(handler).toHaveBeenCalledExactlyOnceWith(reply, undefined);
    });

    it('hands requests to the handler with this bound to the worker', () => {
      const worker = workerOn(peer());
      let self: unknown;
      const handler = vi.fn(function (this: unknown) { self = this; });
      const handle: RawHandle = { close() {} };
      internal(worker, handler)(online, handle);
      expect(handler).toHaveBeenCalledExactlyOnceWith(online, handle);
      expect(self).toBe(worker);
    });

    it('hands a reply to an unknown seq to the handler', () => {
      const handler = vi.fn();
      const stray = { ...newconnAccepted, ack: 987_654 };
      internal(workerOn(peer()), handler)(stray);
      expect(handler).toHaveBeenCalledExactlyOnceWith(stray, undefined);
    });

    // Requests go to worker A; worker B sends a reply that names A's seq.
    it('ignores a reply from a peer other than the one asked (DIVERGENCE: Node accepts it)', () => {
      const [a, b] = [peer(), peer()];
      const cb = vi.fn<ReplyCallback>();
      const handlerB = vi.fn();
      sendHelper(a, { act: 'newconn', key: newconn.key }, null, cb);
      const ack = sentTo(a).seq;

      internal(workerOn(b), handlerB)({ ...newconnAccepted, ack });
      expect(cb).not.toHaveBeenCalled();
      expect(handlerB).toHaveBeenCalledOnce(); // treated as an unknown reply

      internal(workerOn(a), () => {})({ ...newconnAccepted, ack }); // the real answer still counts
      expect(cb).toHaveBeenCalledOnce();
    });

    it.each([
      ["Node's own cluster traffic (NODE_CLUSTER)", { cmd: 'NODE_CLUSTER', act: 'online', seq: 0 }],
      ['a child_process NODE_HANDLE wrapper', { cmd: 'NODE_HANDLE', type: 'net.Native', msg: newconn }],
      ['an object without cmd', { act: 'online', seq: 0 }],
      ['null', null],
      ['a bare string', 'NODE_MINI_CLUSTER'],
    ])('ignores a message that is %s', (_label, message) => {
      const handler = vi.fn();
      internal(workerOn(peer()), handler)(message);
      expect(handler).not.toHaveBeenCalled();
    });

    it('ignores a foreign message even when it names a pending seq', () => {
      const p = peer();
      const cb = vi.fn<ReplyCallback>();
      sendHelper(p, { act: 'newconn', key: newconn.key }, null, cb);
      internal(workerOn(p), () => {})({ cmd: 'NODE_CLUSTER', ack: sentTo(p).seq, accepted: true });
      expect(cb).not.toHaveBeenCalled();
    });
  });

  describe('dropPendingRequests()', () => {
    it('answers only the pending requests of that peer with null', () => {
      const [a, b] = [peer(), peer()];
      const [a1, a2, b1] = [vi.fn<ReplyCallback>(), vi.fn<ReplyCallback>(), vi.fn<ReplyCallback>()];
      sendHelper(a, { act: 'newconn', key: newconn.key }, null, a1);
      sendHelper(b, { act: 'newconn', key: newconn.key }, null, b1);
      sendHelper(a, { act: 'newconn', key: newconn.key }, null, a2);

      dropPendingRequests(a);
      expect(a1).toHaveBeenCalledExactlyOnceWith(null);
      expect(a2).toHaveBeenCalledExactlyOnceWith(null);
      expect(b1).not.toHaveBeenCalled();

      internal(workerOn(b), () => {})({ ...newconnAccepted, ack: sentTo(b).seq }); // b can still answer
      expect(b1).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ accepted: true }), undefined);
    });

    it('forgets the dropped requests so a late reply reaches the handler', () => {
      const p = peer();
      const cb = vi.fn<ReplyCallback>();
      const handler = vi.fn();
      sendHelper(p, { act: 'newconn', key: newconn.key }, null, cb);
      dropPendingRequests(p);
      internal(workerOn(p), handler)({ ...newconnAccepted, ack: sentTo(p).seq });
      expect(cb).toHaveBeenCalledOnce(); // with null, from the drop; never with the late reply
      expect(handler).toHaveBeenCalledOnce();
    });
  });

  describe('the act table', () => {
    // Node's names, byte for byte: the message types are the only list, and
    // the compiler (npm test runs tsc first) holds every sender to them.
    it('names in its message types exactly the seven acts Node uses, plus our connections report', () => {
      // 'connections' is ours: workers report open counts to a scheduler (scheduled-handle.ts).
      expectTypeOf<Act>().toEqualTypeOf<'online' | 'queryServer' | 'listening' | 'close' | 'exitedAfterDisconnect' | 'newconn' | 'disconnect' | 'connections'>();
    });

    it("has the primary act on each of the five acts Node's workers send, and warn about any other", () => {
      const emitted: string[] = [];
      const listeners = ['online', 'listening'].map((event) => {
        const listener = (): number => emitted.push(event);
        cluster.on(event, listener);
        return [event, listener] as const;
      });
      // A listener already filed under the fixture's key, so queryServer joins it instead of binding.
      const listener = {
        data: null,
        add: vi.fn((_w: Worker, send: (errno: number | null, reply: object | null, handle: null) => void) => (send(null, { sockname }, null), true)),
        remove: vi.fn(() => false),
      };
      handles.set(listenKey, listener as unknown as AnyHandle);
      const p = peer();
      const worker = Object.assign(new EventEmitter(), { id: 1, process: p, state: 'none', exitedAfterDisconnect: false }) as unknown as Worker;
      const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      try {
        for (const message of [online, queryServer, listening, close]) onmessage.call(worker, { ...message });
        expect(warnings).not.toHaveBeenCalled();
        expect(emitted).toEqual(['online', 'listening']);
        expect(listener.add).toHaveBeenCalledOnce(); // queryServer
        expect(sentTo(p)).toMatchObject({ ack: queryServer.seq, key: listenKey, sockname });
        expect(listener.remove).toHaveBeenCalledOnce(); // close
        onmessage.call(worker, { ...exitedAfterDisconnect });
        expect([worker.exitedAfterDisconnect, sentTo(p, 1).ack]).toEqual([true, exitedAfterDisconnect.seq]);
        // Ours: an open-count report for a listener with no scheduler changes nothing, and is no error.
        onmessage.call(worker, { cmd: CMD, seq: 8, act: 'connections', key: listenKey, open: 3 });
        expect(warnings).not.toHaveBeenCalled();

        // The primary's own acts, and near misses of Node's names, are not worker messages.
        for (const act of ['newconn', 'disconnect', 'queryserver', 'Online']) onmessage.call(worker, { cmd: CMD, seq: 9, act });
        expect(warnings.mock.calls.map(([text]) => /unknown act "(\w+)"/.exec(String(text))?.[1])).toEqual(['newconn', 'disconnect', 'queryserver', 'Online']);
      } finally {
        warnings.mockRestore();
        handles.delete(listenKey);
        for (const [event, l] of listeners) cluster.off(event, l);
      }
    });

    it('tags messages with a cmd that Node diverts to internalMessage', () => {
      // child_process treats a string cmd longer than 5 chars starting with NODE_ as internal.
      expect(CMD.startsWith('NODE_') && CMD.length > 5).toBe(true);
      expect(CMD).not.toBe('NODE_CLUSTER'); // never answers Node's own cluster traffic
    });
  });
});
