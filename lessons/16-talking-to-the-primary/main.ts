/**
 * Lesson 16: talking to the primary. The request/response layer of
 * src/messaging/ between a primary and its workers: a worker asks the
 * primary, the primary asks a worker; a request that times out, and the
 * late reply after it; a worker SIGKILLed mid-request; one counter that
 * two workers increment 10,000 times each; a broadcast while a worker
 * dies. Each next to the way the course (docs/sources.md) writes it by hand, and what goes
 * wrong there.
 *
 *   worker ──{cmd:'mini-cluster:request', id, type:'price', data}──► primary: hub.handle('price')
 *   worker ◄──{cmd:'mini-cluster:reply', id, ok:true, data}───────── primary
 *   worker killed ─► cluster 'disconnect' ─► every request it owes rejects now, not at its timeout
 *   increment('hits') ─► primary adds 1, in one step ─► {cmd:'mini-cluster:state', ...} to every worker
 *
 * Mirrors: nothing — teaching program (the course's IPCManager and StateManager; src/messaging/)
 * Read next: lessons/16-talking-to-the-primary/README.md, then src/messaging/index.ts
 */
import cluster, { type Worker } from '../../src/index.ts';
import { createHub, isMiniClusterMessage, joinHub, type RequestError } from '../../src/messaging/index.ts';
import { deadline, finish, sleep, track } from '../_lib/lesson.ts';

const N = 10_000; // increments per worker
const BY_HAND_N = 2_000; // get-then-set rounds per worker (two round trips each)

// ---- a worker ----

async function worker(): Promise<void> {
  const link = joinHub(cluster);
  link.handle('whoami', () => ({ id: cluster.worker!.id, pid: process.pid, mode: link.state.get('mode'), version: link.state.version }));
  link.handle('slow', (ms: number) => new Promise((resolve) => setTimeout(() => resolve(`done after ${ms} ms`), ms)));
  link.handle('ask-price', (sku: string) => link.request('primary', 'price', { sku }));
  link.handle('count', async () => {
    for (let i = 0; i < N; i++) await link.state.increment('hits');
    return link.state.get('hits');
  });
  // The course's way: read the value from the primary, add one here, write it back.
  link.handle('count-by-hand', async () => {
    for (let i = 0; i < BY_HAND_N; i++) {
      const value = (await link.request<number>('primary', 'state:get', 'by-hand')) ?? 0;
      await link.request('primary', 'state:set', { key: 'by-hand', value: value + 1 });
    }
  });
  // The app's own message, with a very ordinary name: a report of an HTTP response it sent.
  link.handle('report', () => void process.send!({ type: 'response', status: 200, url: '/' }));
  link.onBroadcast('notice', (text: string) => void link.request('primary', 'heard', text).catch(() => {}));
  // The course's request/response, by hand: anything with a `type` is a request, the answer is `type: 'response'`.
  process.on('message', (m: { type?: string; id?: number; data?: number }) => {
    if (m?.type === 'slow') setTimeout(() => process.send!({ type: 'response', originalId: m.id, data: `done after ${m.data} ms` }), m.data);
  });
}

// ---- the course's requester, by hand (our code, its design) ----

/**
 * Ids from a counter, replies found by `type: 'response'` and `originalId`,
 * a timer that rejects with the type only. Nothing listens for the worker
 * leaving, and every message with `type: 'response'` is taken as a reply.
 */
function byHand(w: Worker, onAppMessage: (m: unknown) => void): (type: string, data: unknown, timeoutMs: number) => Promise<unknown> {
  const callbacks = new Map<number, (data: unknown) => void>();
  let lastId = 0;
  w.on('message', (m: { type?: string; originalId?: number; data?: unknown }) => {
    if (isMiniClusterMessage(m)) return; // the lesson's own layer: not part of the by-hand code
    if (m?.type === 'response') {
      const callback = callbacks.get(m.originalId!);
      if (callback) (callbacks.delete(m.originalId!), callback(m.data));
      return; // a 'response' nobody waits for is dropped here
    }
    onAppMessage(m);
  });
  return (type, data, timeoutMs) => new Promise((resolve, reject) => {
    const id = ++lastId;
    const timer = setTimeout(() => (callbacks.delete(id), reject(new Error(`request timed out: ${type}`))), timeoutMs);
    callbacks.set(id, (answer) => (clearTimeout(timer), resolve(answer)));
    w.send({ id, type, data });
  });
}

// ---- the primary ----

const t0 = performance.now();
const at = (): string => `+${((performance.now() - t0) / 1000).toFixed(1).padStart(4)} s`;
const say = (text: string): void => console.log(`  ${at()}  ${text}`);
const since = (start: number): number => Math.round(performance.now() - start);

async function primary(): Promise<void> {
  deadline(15_000);
  console.log('Lesson 16: talking to the primary\n');
  const hub = createHub(cluster);
  const prices: Record<string, number> = { a1: 9.5, b2: 12 };
  hub.handle('price', ({ sku }: { sku: string }, { from }) => {
    if (!(sku in prices)) throw new RangeError(`no price for "${sku}"`);
    return { sku, price: prices[sku], askedBy: `worker ${from.id}` };
  });
  hub.handle('state:get', (key: string) => hub.state.get(key));
  hub.handle('state:set', ({ key, value }: { key: string; value: unknown }) => void hub.state.set(key, value));
  const heard: string[] = [];
  hub.handle('heard', (_text: string, { from }) => void heard.push(`worker ${from.id}`));
  hub.state.set('mode', 'live');
  const fork = (): Worker => {
    const w = cluster.fork();
    track(w.process);
    return w;
  };

  console.log('Part 1: requests both ways, and what travels\n');
  // A user's own listener sees our messages too; here we print them. Yours would skip them.
  const wire = (w: Worker, m: unknown): void => void (isMiniClusterMessage(m) && console.log(`           worker ${w.id} -> primary  ${JSON.stringify(m)}`));
  cluster.on('message', wire);
  const w1 = fork();
  const w2 = fork();
  await Promise.all([hub.joined(w1), hub.joined(w2)]);
  say(`hub.joined: both workers have their copy of the state; members ${JSON.stringify(hub.members().sort())}`);
  say(`worker 1 asks the primary for a1: ${JSON.stringify(await hub.request(w1, 'ask-price', 'a1'))}`);
  say(`the primary asks worker 2 who it is: ${JSON.stringify(await hub.request(w2, 'whoami'))}`);
  cluster.off('message', wire);
  const noPrice = await hub.request(w1, 'ask-price', 'zz').catch((e: Error) => e.message);
  say(`worker 1 asks for zz: ${noPrice}`);

  console.log('\nPart 2: a timeout, and the reply that comes after it\n');
  let start = performance.now();
  const timedOut = await hub.request(w2, 'slow', 400, { timeoutMs: 150 }).catch((e: RequestError) => `${e.code}: ${e.message}`);
  say(`after ${since(start)} ms: ${timedOut}`);
  await sleep(350);
  const s = hub.stats();
  say(`the worker's answer came at 400 ms: ignored and counted (late ${s.late}, unknown ${s.unknown}, pending ${s.pending})`);

  console.log('\nPart 3: a worker killed mid-request\n');
  start = performance.now();
  const outcome = (text: string): string => `after ${since(start)} ms: ${text}`;
  const ours = hub.request(w2, 'slow', 5_000, { timeoutMs: 5_000 }).then((v) => outcome(`answered ${v}`), (e: RequestError) => outcome(`${e.code}: ${e.message}`));
  const theirs = byHand(w2, () => {})('slow', 5_000, 1_000).then((v) => outcome(`answered ${v}`), (e: Error) => outcome(e.message));
  await sleep(150);
  say(`kill -9 worker 2 (pid ${w2.process.pid}); in flight: a request of ours (timeout 5 s) and one by hand (timeout 1 s; the course's is 5 s)`);
  w2.process.kill('SIGKILL');
  say(`ours, ${await ours}`);
  say(`by hand, ${await theirs}`);
  const w3 = fork();
  await hub.joined(w3);
  say(`a replacement, worker 3, joined; asked at once, it has the state: ${JSON.stringify(await hub.request(w3, 'whoami'))}`);

  console.log('\nPart 4: one counter, two workers\n');
  start = performance.now();
  const finals = await Promise.all([w1, w3].map((w) => hub.request<number>(w, 'count', null, { timeoutMs: 10_000 })));
  say(`increment('hits') ${N.toLocaleString('en')} times in each of workers 1 and 3, at once: hits = ${hub.state.get('hits')} (${since(start)} ms; the last to finish read ${Math.max(...finals)})`);
  start = performance.now();
  await Promise.all([w1, w3].map((w) => hub.request(w, 'count-by-hand', null, { timeoutMs: 10_000 })));
  const byHandTotal = hub.state.get('by-hand') as number;
  say(`by hand, get then set, ${BY_HAND_N.toLocaleString('en')} times in each: by-hand = ${byHandTotal} of ${2 * BY_HAND_N}, ${2 * BY_HAND_N - byHandTotal} increments lost (${since(start)} ms)`);

  console.log('\nPart 5: a broadcast while a worker dies, and messages named like ours\n');
  const w4 = fork();
  await hub.joined(w4);
  const broadcast = new Promise<void>((resolve) => {
    cluster.once('disconnect', async (gone: Worker) => {
      say(`worker ${gone.id}'s channel closed; still listed in cluster.workers: ${cluster.workers![gone.id] === gone}`);
      const result = await hub.broadcast('notice', 'config reloaded');
      say(`hub.broadcast: delivered to ${JSON.stringify(result.delivered)}, failed ${JSON.stringify(result.failed)}`);
      // The course's broadcast is worker.send() to each; here is what that send does now.
      gone.once('error', (e: NodeJS.ErrnoException) => {
        say(`a plain worker.send() to worker ${gone.id} emits 'error' ${e.code}; the course has no listener for it, and an 'error' nobody hears is thrown: its primary exits`);
        resolve();
      });
      gone.send({ type: 'notice', data: 'config reloaded' });
    });
  });
  w1.process.kill('SIGKILL');
  await broadcast;
  for (let i = 0; i < 50 && heard.length < 2; i++) await sleep(20);
  say(`heard by: ${heard.sort().join(', ')}`);

  let appSaw = 0;
  byHand(w4, () => appSaw++); // installs the course's dispatch on worker 4; no request needed here
  let userSaw = 0;
  const user = (_w: Worker, m: { type?: string }): void => void (!isMiniClusterMessage(m) && m?.type === 'response' && userSaw++);
  cluster.on('message', user);
  await hub.request(w4, 'report');
  await hub.request(w4, 'whoami'); // answered behind the report: it has been read
  cluster.off('message', user);
  say(`worker 4 sends its app's own {type:'response', status:200}: the by-hand code passes ${appSaw} of 1 to the app; a listener beside our layer sees ${userSaw} of 1`);
  const st = hub.stats();
  say(`hub.stats(): ${st.requests} requests, ${st.timedOut} timed out, ${st.peerGone} rejected as the worker left, ${st.late} late, ${st.unknown} unknown, ${st.malformed} malformed`);
  // Stop the workers and wait for their exits (at most 2 s), so that this
  // process reaps them rather than leaving zombies for init.
  const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
  await Promise.race([Promise.all(live.map((w) => new Promise((resolve) => (w.once('exit', resolve), w.process.kill('SIGKILL'))))), sleep(2_000)]);
  finish(0);
}

if (cluster.isWorker) await worker();
else await primary();
