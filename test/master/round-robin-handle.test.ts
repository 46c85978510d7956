/**
 * Specifies RoundRobinHandle (SCHED_RR): how the primary binds, answers each
 * worker's queryServer, and hands every accepted connection to exactly one idle
 * worker. Fake workers and fake handles only: no processes, sockets or timers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dropPendingRequests, type RawHandle, type ServerQuery } from '../../src/ipc.ts';
import { RoundRobinHandle, type AddCallback } from '../../src/master/round-robin-handle.ts';
import { addWorkers, client, expectRepliesMatched, FakeServer, fakeListenHandle, FakeWorker, type FakeClient } from '../helpers/fake-workers.ts';
import {
  listenKey, newconn, queryServer, queryServerFd, queryServerPipe, sockname,
} from '../fixtures/messages.ts';

afterEach(expectRepliesMatched);

/** A RoundRobinHandle for `listen(0, '127.0.0.1')`, bound to a fake server the spec controls. */
function createRoundRobin({ key = listenKey, pipe = false } = {}) {
  const server = new FakeServer();
  const rr = new RoundRobinHandle(key, '127.0.0.1', queryServer, () => server);
  const listenHandle = fakeListenHandle({ pipe });
  return {
    rr,
    server,
    listenHandle,
    /** The bind completes. */
    listen: () => server.bound(listenHandle),
    /** A client connects: libuv calls the listening handle's onconnection. */
    connect: (name: string): FakeClient => {
      const c = client(name);
      listenHandle.onconnection(0, c);
      return c;
    },
  };
}

const freeIds = (rr: RoundRobinHandle): number[] => [...rr.free.keys()];
const queued = (rr: RoundRobinHandle): string[] => rr.handles.map((h) => (h as FakeClient).name);

describe('RoundRobinHandle', () => {
  describe('when it is constructed', () => {
    it('binds to the host, port and backlog of the first query', () => {
      const { server } = createRoundRobin();
      expect(server.listenCalls).toEqual([{ port: 0, host: '127.0.0.1', ipv6Only: false, backlog: 0 }]);
    });

    it('binds IPv6-only when the query carries UV_TCP_IPV6ONLY', () => {
      const server = new FakeServer();
      new RoundRobinHandle('::1:0:6:undefined:0', '::1', { address: '::1', port: 0, addressType: 6, flags: 1 }, () => server);
      expect(server.listenCalls).toEqual([{ port: 0, host: '::1', ipv6Only: true, backlog: undefined }]);
    });

    it('listens on the path of a pipe query', () => {
      const server = new FakeServer();
      const query = { ...queryServerPipe, readableAll: true, writableAll: false };
      new RoundRobinHandle('/tmp/app.sock:-1:-1:undefined:0', query.address, query, () => server);
      expect(server.listenCalls).toEqual([{ path: '/tmp/app.sock', backlog: 0, readableAll: true, writableAll: false }]);
    });

    // Node 20 sends port and addressType null for listen({ fd }): the fd wins.
    it('listens on the inherited fd when the query has one', () => {
      const server = new FakeServer();
      new RoundRobinHandle('null:null:null:7:0', null, queryServerFd as unknown as ServerQuery, () => server);
      expect(server.listenCalls).toEqual([{ fd: 7, backlog: 0 }]);
    });

    it('takes the listening handle away from the server once it listens', () => {
      const { rr, server, listen, listenHandle } = createRoundRobin();
      addWorkers(rr, 1);
      expect(rr.server).toBe(server);
      listen();
      expect(rr.handle).toBe(listenHandle);
      expect(rr.server).toBeNull();
      expect(server._handle).toBeNull(); // the net.Server is detached and dropped
    });
  });

  describe('when a worker adds itself', () => {
    it('answers with the sockname only once the server is listening', () => {
      const { rr, listen } = createRoundRobin();
      const [w1] = addWorkers(rr, 1);
      // Still binding: the worker waits.
      expect(w1.send).not.toHaveBeenCalled();
      expect(freeIds(rr)).toEqual([]);

      listen();
      expect(w1.send).toHaveBeenCalledExactlyOnceWith(null, { sockname }, null);
      expect(freeIds(rr)).toEqual([1]); // nothing queued: the worker is idle
    });

    it('answers at once when the server is already listening', () => {
      const { rr, listen } = createRoundRobin();
      addWorkers(rr, 1);
      listen();
      const w2 = new FakeWorker(2);
      const send = vi.fn<AddCallback>();
      expect(rr.add(w2.worker, send)).toBe(true);
      expect(send).toHaveBeenCalledExactlyOnceWith(null, { sockname }, null);
      expect(freeIds(rr)).toEqual([1, 2]);
    });

    it('answers a pipe listener without a sockname', () => {
      const { rr, listen } = createRoundRobin({ pipe: true });
      const [w1] = addWorkers(rr, 1);
      listen();
      expect(w1.send).toHaveBeenCalledExactlyOnceWith(null, null, null);
    });

    it('returns false for a worker that was already added', () => {
      const { rr, listen } = createRoundRobin();
      const [w1] = addWorkers(rr, 1);
      listen();
      const again = vi.fn<AddCallback>();
      expect(rr.add(w1.worker, again)).toBe(false); // NODE: an assertion that kills the primary
      expect(again).not.toHaveBeenCalled();
      expect([...rr.all.keys()]).toEqual([1]);
    });

    it('reports a bind error to every worker through its add callback', () => {
      const { rr, server } = createRoundRobin();
      const [w1, w2] = addWorkers(rr, 2);
      server.failed(-98);
      expect(w1.send).toHaveBeenCalledExactlyOnceWith(-98, null, null);
      expect(w2.send).toHaveBeenCalledExactlyOnceWith(-98, null, null);
      expect(rr.handle).toBeNull();
    });

    it('hands a queued connection to a worker as soon as it joins', () => {
      const { rr, listen, connect } = createRoundRobin();
      const [w1] = addWorkers(rr, 1);
      listen();
      connect('c1'); // w1 is busy with c1 ...
      connect('c2'); // ... so c2 waits in the queue
      const w2 = new FakeWorker(2);
      const send = vi.fn<AddCallback>();
      rr.add(w2.worker, send);
      // The queryServer reply goes out first, then the newconn for c2.
      expect(send).toHaveBeenCalledOnce();
      expect(w2.offered).toEqual(['c2']);
      expect(w1.offered).toEqual(['c1']);
      expect(queued(rr)).toEqual([]);
    });
  });

  describe('when workers are idle', () => {
    it('sends each connection as a newconn message carrying the client handle', () => {
      const { rr, listen, connect } = createRoundRobin();
      const [w1] = addWorkers(rr, 1);
      listen();
      const c1 = connect('c1');
      const [sent] = w1.newconns;
      expect(sent.message).toEqual({ ...newconn, seq: sent.message.seq });
      expect(sent.handle).toBe(c1);
    });

    it('rotates connections strictly, oldest idle worker first', () => {
      const { rr, listen, connect } = createRoundRobin();
      const workers = addWorkers(rr, 3);
      listen();
      const order: number[] = [];
      for (let i = 1; i <= 7; i++) {
        connect(`c${i}`);
        const busy = workers.filter((w) => w.inFlight.length > 0);
        expect(busy).toHaveLength(1);
        order.push(busy[0].id);
        busy[0].answer(true);
      }
      expect(order).toEqual([1, 2, 3, 1, 2, 3, 1]);
    });

    it('puts a worker back at the end of the free queue after it answers', () => {
      const { rr, listen, connect } = createRoundRobin();
      const [w1, w2] = addWorkers(rr, 3);
      listen();
      expect(freeIds(rr)).toEqual([1, 2, 3]);
      connect('c1');
      connect('c2');
      expect(freeIds(rr)).toEqual([3]);
      w2.answer(true); // w2 answers first, so it is idle before w1
      w1.answer(true);
      expect(freeIds(rr)).toEqual([3, 2, 1]);
    });
  });

  describe('when no worker is free', () => {
    it('queues connections in arrival order until a worker answers', () => {
      const { rr, listen, connect } = createRoundRobin();
      const [w1, w2] = addWorkers(rr, 2);
      listen();
      for (const name of ['c1', 'c2', 'c3', 'c4']) connect(name);
      expect(w1.offered).toEqual(['c1']);
      expect(w2.offered).toEqual(['c2']);
      expect(queued(rr)).toEqual(['c3', 'c4']);

      w2.answer(true); // the first to answer gets the oldest waiting connection
      expect(w2.offered).toEqual(['c2', 'c3']);
      w1.answer(true);
      expect(w1.offered).toEqual(['c1', 'c4']);
      expect(queued(rr)).toEqual([]);
      expect(freeIds(rr)).toEqual([]);
    });

    it('sends at most one newconn at a time to each worker', () => {
      const { rr, listen, connect } = createRoundRobin();
      const workers = addWorkers(rr, 2);
      listen();
      for (let i = 1; i <= 5; i++) connect(`c${i}`);
      expect(workers.map((w) => w.inFlight.length)).toEqual([1, 1]);
      expect(queued(rr)).toEqual(['c3', 'c4', 'c5']);
    });

    // The limit is per worker *per listener*: a worker busy on one listener
    // is still idle for another one.
    it('lets a worker busy on one listener take a connection on another', () => {
      const a = createRoundRobin({ key: listenKey });
      const b = createRoundRobin({ key: '127.0.0.1:0:4:undefined:1' });
      const w1 = new FakeWorker(1);
      a.rr.add(w1.worker, () => {});
      b.rr.add(w1.worker, () => {});
      a.listen();
      b.listen();
      a.connect('a1');
      a.connect('a2');
      b.connect('b1');
      expect(w1.offered).toEqual(['a1', 'b1']);
      expect(w1.newconns.map((s) => s.message.key)).toEqual([listenKey, '127.0.0.1:0:4:undefined:1']);
      expect(queued(a.rr)).toEqual(['a2']);
    });
  });

  describe('when a worker refuses a connection', () => {
    it('offers the refused connection to the next idle worker', () => {
      const { rr, listen, connect } = createRoundRobin();
      const [w1, w2] = addWorkers(rr, 2);
      listen();
      connect('c1');
      w1.answer(false); // w1 refuses: maxConnections reached
      expect(w2.offered).toEqual(['c1']);
      expect(freeIds(rr)).toEqual([1]); // w1 answered, so it is idle again
    });

    // DIVERGENCE: Node re-queues a refused connection and offers it again,
    // to the same worker if it is the only one (over 1000 round trips in
    // 300 ms were seen). Here a worker is never offered the same connection
    // twice, and a connection every worker refused is closed.
    it('closes a connection its lone worker refused, and offers that worker the next one', () => {
      const { rr, listen, connect } = createRoundRobin();
      const [w1] = addWorkers(rr, 1);
      listen();
      const c1 = connect('c1');
      connect('c2');
      w1.answer(false);
      expect(w1.offered).toEqual(['c1', 'c2']);
      expect(c1.close).toHaveBeenCalledOnce();
      expect(rr.closed.refusedByAll).toBe(1);
      expect(queued(rr)).toEqual([]);
    });

    it('offers a refused connection to each other worker once, then closes it', () => {
      const { rr, listen, connect } = createRoundRobin();
      const [w1, w2] = addWorkers(rr, 2);
      listen();
      const c1 = connect('c1');
      w1.answer(false);
      expect(w2.offered).toEqual(['c1']);
      w2.answer(false);
      expect(w1.offered).toEqual(['c1']); // not back to w1
      expect(c1.close).toHaveBeenCalledOnce();
    });

    it('keeps a connection one worker refused for a busy worker that has not', () => {
      const { rr, listen, connect } = createRoundRobin();
      const [w1, w2] = addWorkers(rr, 2);
      listen();
      connect('c1'); // to w1
      connect('c2'); // to w2, which stays busy
      connect('c3'); // queued
      w1.answer(false); // w1 refuses c1: c1 waits for w2, w1 takes c3
      expect(w1.offered).toEqual(['c1', 'c3']);
      expect(queued(rr)).toEqual(['c1']);
      w2.answer(true);
      expect(w2.offered).toEqual(['c2', 'c1']);
    });

    it('closes its copy of the connection only after a worker accepted it', () => {
      const { rr, listen, connect } = createRoundRobin();
      const [w1, w2] = addWorkers(rr, 2);
      listen();
      const c1 = connect('c1');
      expect(c1.close).not.toHaveBeenCalled(); // sent, not yet answered
      w1.answer(false);
      expect(c1.close).not.toHaveBeenCalled(); // refused: still ours, now offered to w2
      w2.answer(true);
      expect(c1.close).toHaveBeenCalledOnce(); // w2 holds its own duplicate now
    });
  });

  describe('when a worker is removed', () => {
    it('returns false while other workers remain', () => {
      const { rr, listen, listenHandle } = createRoundRobin();
      const [w1] = addWorkers(rr, 2);
      listen();
      expect(rr.remove(w1.worker)).toBe(false);
      expect(listenHandle.close).not.toHaveBeenCalled();
    });

    it('returns false for a worker it does not know', () => {
      const { rr, listen } = createRoundRobin();
      addWorkers(rr, 1);
      listen();
      expect(rr.remove(new FakeWorker(9).worker)).toBe(false);
      expect([...rr.all.keys()]).toEqual([1]);
    });

    it('stops offering connections to a removed idle worker', () => {
      const { rr, listen, connect } = createRoundRobin();
      const [w1, w2] = addWorkers(rr, 2);
      listen();
      rr.remove(w1.worker);
      expect(freeIds(rr)).toEqual([2]);
      connect('c1');
      expect(w1.offered).toEqual([]);
      expect(w2.offered).toEqual(['c1']);
    });

    // w1 is busy with c1 when it leaves; its late answer must not make it
    // idle again, and c2 (queued, not in flight) stays for w2.
    it('does not take a removed busy worker back when it answers', () => {
      const { rr, listen, connect } = createRoundRobin();
      const [w1, w2] = addWorkers(rr, 2);
      listen();
      const c1 = connect('c1');
      connect('c2');
      connect('c3');
      rr.remove(w1.worker);
      w1.answer(true);
      expect(c1.close).toHaveBeenCalledOnce();
      expect(w1.offered).toEqual(['c1']);
      expect(freeIds(rr)).toEqual([]);
      w2.answer(true);
      expect(w2.offered).toEqual(['c2', 'c3']);
    });

    // w1 has c1 in flight when its channel closes. The primary removes it,
    // then dropPendingRequests() answers the newconn with null. Node never
    // learns of it and the client hangs forever.
    it('redistributes a connection whose worker disconnected mid-handoff (DIVERGENCE: Node leaves the client hanging)', () => {
      const { rr, listen, connect } = createRoundRobin();
      const [w1, w2] = addWorkers(rr, 2);
      listen();
      const c1 = connect('c1');
      connect('c2'); // w2 takes c2
      w2.answer(true);
      expect(freeIds(rr)).toEqual([2]);

      w1.proc.connected = false; // the channel closed ...
      rr.remove(w1.worker); // ... so the primary removes the worker first,
      dropPendingRequests(w1.proc); // then gives up on what w1 never answered
      expect(w2.offered).toEqual(['c2', 'c1']);
      expect(c1.close).not.toHaveBeenCalled();
      w2.answer(true);
      expect(c1.close).toHaveBeenCalledOnce();
    });
  });

  describe('when the last worker leaves', () => {
    it('closes the queued connections and the listening handle and returns true', () => {
      const { rr, listen, connect, listenHandle } = createRoundRobin();
      const [w1] = addWorkers(rr, 1);
      listen();
      const c1 = connect('c1'); // in flight to w1
      const c2 = connect('c2');
      const c3 = connect('c3');
      expect(rr.remove(w1.worker)).toBe(true);
      expect(c2.close).toHaveBeenCalledOnce();
      expect(c3.close).toHaveBeenCalledOnce();
      expect(c1.close).not.toHaveBeenCalled(); // w1 may still take it
      expect(listenHandle.close).toHaveBeenCalledOnce();
      expect(rr.handle).toBeNull();
      expect(queued(rr)).toEqual([]);
    });

    // The primary calls drain() just before it disconnects its last worker.
    it('hands the queued connections to a last worker leaving on purpose and stops listening (DIVERGENCE: Node closes them)', () => {
      const { rr, listen, connect, listenHandle } = createRoundRobin();
      const [w1] = addWorkers(rr, 1);
      listen();
      const c1 = connect('c1'); // in flight to w1
      const c2 = connect('c2');
      const c3 = connect('c3');
      rr.drain(w1.worker);
      expect(listenHandle.close).toHaveBeenCalledOnce(); // new clients are refused from now on
      expect(w1.offered).toEqual(['c1', 'c2', 'c3']);
      expect(queued(rr)).toEqual([]);
      expect(rr.remove(w1.worker)).toBe(true);
      // The leaving worker's server is still open when these arrive: it takes them all.
      for (const c of [c1, c2, c3]) expect(w1.answer(true)).toBe(c);
      for (const c of [c1, c2, c3]) expect(c.close).toHaveBeenCalledOnce(); // the primary's copies
    });

    it('leaves the queue alone when the worker leaving is not the last one', () => {
      const { rr, listen, connect, listenHandle } = createRoundRobin();
      const [w1, w2] = addWorkers(rr, 2);
      listen();
      connect('c1');
      connect('c2');
      connect('c3'); // queued: both workers have one in flight
      rr.drain(w1.worker);
      expect(listenHandle.close).not.toHaveBeenCalled();
      expect(queued(rr)).toEqual(['c3']);
      expect([...w1.offered, ...w2.offered].sort()).toEqual(['c1', 'c2']);
    });

    // nodejs/node#21746: Node queues the refused handle in the abandoned
    // object, where nobody will ever take it.
    it('closes a connection refused after the last worker left (DIVERGENCE: Node leaks it)', () => {
      const { rr, listen, connect } = createRoundRobin();
      const [w1] = addWorkers(rr, 1);
      listen();
      const c1 = connect('c1');
      rr.remove(w1.worker);
      w1.answer(false);
      expect(c1.close).toHaveBeenCalledOnce();
      expect(queued(rr)).toEqual([]);
      expect(w1.offered).toEqual(['c1']);
    });

    it('closes a connection that the departed last worker can never answer', () => {
      const { rr, listen, connect } = createRoundRobin();
      const [w1] = addWorkers(rr, 1);
      listen();
      const c1 = connect('c1');
      w1.proc.connected = false;
      rr.remove(w1.worker);
      dropPendingRequests(w1.proc);
      expect(c1.close).toHaveBeenCalledOnce();
    });

    // Node does not guard this: the last worker leaves while the primary is
    // still binding. The socket that then starts listening is wanted by nobody.
    it('closes the bound server when every worker left before it was listening', () => {
      const { rr, server, listen, listenHandle } = createRoundRobin();
      const [w1] = addWorkers(rr, 1);
      expect(rr.remove(w1.worker)).toBe(true);
      listen();
      expect(server.close).toHaveBeenCalledOnce();
      expect(rr.handle).toBeNull();
      expect(listenHandle.close).not.toHaveBeenCalled(); // server.close() closes it
      expect(w1.send).not.toHaveBeenCalled(); // nobody to answer
    });
  });

  describe('when accepting a connection fails', () => {
    // w1 is busy, so anything distribute() queued would stay visible in
    // `handles` (Node before v20 queued `undefined` here).
    it('ignores the error and queues nothing', () => {
      const { rr, listen, listenHandle, connect } = createRoundRobin();
      const [w1] = addWorkers(rr, 1);
      listen();
      connect('c1');
      listenHandle.onconnection(-24, undefined as unknown as RawHandle); // EMFILE: no client handle at all
      expect(rr.handles).toEqual([]);
      w1.answer(true);
      expect(freeIds(rr)).toEqual([1]); // idle: nothing was waiting for it
      connect('c2'); // the next good connection is served as usual
      expect(w1.offered).toEqual(['c1', 'c2']);
    });
  });
});
