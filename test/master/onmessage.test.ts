/**
 * Specifies queryServer, the primary's answer to a worker's listen()
 * (src/master/onmessage.ts): the key it files the listener under, one
 * listener per key shared by every worker that asks for it, a new one for a
 * new key, the reply, and the close that takes a worker out again.
 *
 * Fake workers (a Worker around a ChildProcess that records what it is sent)
 * and real listeners: under round robin queryServer makes a RoundRobinHandle,
 * which listens on 127.0.0.1, port 0. Every listener is closed after its spec.
 */
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Envelope } from '../../src/ipc.ts';
import { cluster, handles, SCHED_RR } from '../../src/master/primary.ts';
import { onmessage } from '../../src/master/onmessage.ts';
import { RoundRobinHandle } from '../../src/master/round-robin-handle.ts';
import { Worker } from '../../src/worker.ts';
import { listenKey, queryServer, close } from '../fixtures/messages.ts';

const UV_EADDRINUSE = -os.constants.errno.EADDRINUSE;

/** A Worker whose process records every message the primary sends it. */
class FakeWorker {
  readonly sent: Envelope[] = [];
  readonly #waiting: Array<() => void> = [];
  readonly proc = Object.assign(new EventEmitter(), {
    connected: true,
    send: (message: Envelope): boolean => {
      this.sent.push(message);
      for (const wake of this.#waiting.splice(0)) wake();
      return true;
    },
  });
  readonly worker: Worker;
  constructor(id: number) {
    this.worker = new Worker({ id, process: this.proc as unknown as ChildProcess });
    workers.push(this);
  }

  /** The worker's message reaches the primary, as ipc.ts's internal() hands it on. */
  receive(message: object): void {
    onmessage.call(this.worker, message as Envelope);
  }

  /** The primary's reply to request `seq`; fails after 2 s without one. */
  async reply(seq: number): Promise<Envelope> {
    const deadline = Date.now() + 2_000;
    for (;;) {
      const found = this.sent.find((m) => m.ack === seq);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`worker ${this.worker.id} got no reply to seq ${seq}; it got ${JSON.stringify(this.sent)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiting.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }
}

const workers: FakeWorker[] = [];

/** A worker's listen(0, '127.0.0.1') as it arrives, with other fields where given. */
function query(fields: Record<string, unknown> = {}): Envelope {
  return { ...queryServer, ...fields } as Envelope;
}

beforeAll(() => {
  // The policy freezes at the first setupPrimary(), as in Node; no worker is forked.
  cluster.schedulingPolicy = SCHED_RR;
  cluster.setupPrimary();
});

afterEach(() => {
  // Every worker closes what it asked for, so each listener closes with its last worker.
  for (const w of workers.splice(0)) {
    for (const key of [...handles.keys()]) w.receive({ ...close, key });
  }
  expect([...handles.keys()], 'listeners left open').toEqual([]);
});

describe('queryServer', () => {
  describe('when a worker asks for a listener nobody has yet', () => {
    it('files it under the key address:port:addressType:fd:index and makes a RoundRobinHandle for it', () => {
      const w1 = new FakeWorker(1);
      w1.receive(query());
      expect([...handles.keys()]).toEqual([listenKey]); // '127.0.0.1:0:4:undefined:0'
      expect(handles.get(listenKey)).toBeInstanceOf(RoundRobinHandle);
    });

    it('replies, once the listener listens, with the key, the query\'s seq as ack and the address the primary listens on', async () => {
      const w1 = new FakeWorker(1);
      w1.receive(query({ seq: 7 }));
      const reply = await w1.reply(7);
      expect(reply).toMatchObject({ errno: null, key: listenKey, ack: 7, data: null, sockname: { address: '127.0.0.1', family: 'IPv4' } });
      expect(reply.sockname).toEqual(expect.objectContaining({ port: expect.any(Number) }));
      expect((reply.sockname as { port: number }).port).toBeGreaterThan(0);
    });

    it('puts each field of the query in its place in the key, a port in use included', async () => {
      // A port that is taken: the bind fails, but the key and the reply still show it.
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const port = (taken.address() as net.AddressInfo).port;
      try {
        const w1 = new FakeWorker(1);
        w1.receive(query({ port, index: 3 }));
        const reply = await w1.reply(1);
        expect(reply.key).toBe(`127.0.0.1:${port}:4:undefined:3`);
        expect(reply.errno).toBe(UV_EADDRINUSE);
      } finally {
        taken.close();
      }
    });

    it('files a pipe under path:-1:-1:undefined:index and listens on that path', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mini-cluster-query-'));
      const socketPath = path.join(dir, 'app.sock');
      try {
        const w1 = new FakeWorker(1);
        w1.receive(query({ address: socketPath, port: -1, addressType: -1 }));
        const reply = await w1.reply(1);
        expect(reply).toMatchObject({ errno: null, key: `${socketPath}:-1:-1:undefined:0` });
        expect(reply.sockname, 'a pipe has no sockname').toBeUndefined();
        expect(fs.existsSync(socketPath)).toBe(true);
      } finally {
        for (const w of workers.splice(0)) for (const key of [...handles.keys()]) w.receive({ ...close, key });
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('when more workers ask', () => {
    it('gives every worker asking for the same key the same listener, and so the same port', async () => {
      const [w1, w2] = [new FakeWorker(1), new FakeWorker(2)];
      w1.receive(query());
      w2.receive(query());
      const [r1, r2] = [await w1.reply(1), await w2.reply(1)];
      expect([...handles.keys()]).toEqual([listenKey]);
      expect([...(handles.get(listenKey) as RoundRobinHandle).all.keys()]).toEqual([1, 2]);
      expect(r2.sockname).toEqual(r1.sockname);
    });

    it('makes a new listener on a new port for the next index on the same address and port', async () => {
      const w1 = new FakeWorker(1);
      w1.receive(query({ seq: 1, index: 0 }));
      w1.receive(query({ seq: 2, index: 1 }));
      const [first, second] = [await w1.reply(1), await w1.reply(2)];
      expect([...handles.keys()]).toEqual([listenKey, '127.0.0.1:0:4:undefined:1']);
      expect(second.key).toBe('127.0.0.1:0:4:undefined:1');
      expect((second.sockname as { port: number }).port).not.toBe((first.sockname as { port: number }).port);
    });

    it('shares the first worker\'s server data (TLS ticket keys) with every worker on the key', async () => {
      const [w1, w2] = [new FakeWorker(1), new FakeWorker(2)];
      w1.receive(query({ data: 'keys of w1' }));
      w2.receive(query({ data: 'keys of w2' }));
      expect((await w2.reply(1)).data).toBe('keys of w1');
    });

    it('refuses a second query for the same key from the same worker with EADDRINUSE (DIVERGENCE: Node asserts)', async () => {
      const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      const w1 = new FakeWorker(1);
      w1.receive(query({ seq: 1 }));
      w1.receive(query({ seq: 2 }));
      expect(await w1.reply(2)).toMatchObject({ errno: UV_EADDRINUSE, key: listenKey });
      expect(warn).toHaveBeenCalledExactlyOnceWith(`worker 1 asked twice for ${listenKey}; refused`, 'MiniClusterWarning');
      warn.mockRestore();
      expect(await w1.reply(1)).toMatchObject({ errno: null, key: listenKey }); // the first still stands
    });

    it('ignores a query from a worker that is leaving', async () => {
      const w1 = new FakeWorker(1);
      w1.worker.exitedAfterDisconnect = true;
      w1.receive(query());
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(w1.sent).toEqual([]);
      expect(handles.size).toBe(0);
    });
  });

  describe('when a bind fails', () => {
    it('forgets the key, so that the next query for it binds again', async () => {
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const port = (taken.address() as net.AddressInfo).port;
      const key = `127.0.0.1:${port}:4:undefined:0`;
      const w1 = new FakeWorker(1);
      w1.receive(query({ port }));
      expect((await w1.reply(1)).errno).toBe(UV_EADDRINUSE);
      expect(handles.has(key)).toBe(false);

      await new Promise<void>((resolve) => taken.close(() => resolve()));
      const w2 = new FakeWorker(2);
      w2.receive(query({ port }));
      expect(await w2.reply(1)).toMatchObject({ errno: null, key, sockname: { port } });
      expect(handles.has(key)).toBe(true);
    });
  });

  describe('when a worker closes its server', () => {
    it('takes the worker out of the listener and forgets the key once the last one left', async () => {
      const [w1, w2] = [new FakeWorker(1), new FakeWorker(2)];
      w1.receive(query());
      w2.receive(query());
      await w2.reply(1);
      w1.receive(close);
      expect([...(handles.get(listenKey) as RoundRobinHandle).all.keys()]).toEqual([2]);
      w2.receive(close);
      expect(handles.has(listenKey)).toBe(false);
    });
  });
});
