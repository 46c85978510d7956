/**
 * Lesson 03: fork and IPC. The primary forks two workers (this same file),
 * watches them come 'online', and exchanges messages with each in both
 * directions over the IPC channel fork() opened; then it looks at the
 * Worker objects and lets the workers go.
 *
 *   primary --fork()--> worker   (a new node process running this file)
 *   primary <==== IPC channel ====> worker: worker.send() / process.send()
 *
 * Mirrors: nothing — teaching program (docs/sources.md, the tutorial and the API guide: fork, online, worker.send)
 * Read next: lessons/03-fork-and-ipc/README.md, then lessons/04-passing-a-handle
 */
import type { ChildProcess } from 'node:child_process';
import cluster, { type Worker } from '../../src/index.ts';
import { deadline, finish, track } from '../_lib/lesson.ts';

// ---- the worker: the same file, started again by fork() ----

function worker(): void {
  const me = cluster.worker!;
  // Unprompted: a worker may speak first. process.send() is the worker's end.
  process.send!({ ready: `worker ${me.id} here, pid ${process.pid}`, isPrimary: cluster.isPrimary, isWorker: cluster.isWorker });
  process.on('message', (message: { hello?: string }) => {
    if (message.hello !== undefined) process.send!({ reply: `hi primary, worker ${me.id} got "${message.hello}"` });
  });
}

// ---- the primary ----

/** The next user message from `worker` (the 'message' event of the Worker object). */
function nextMessage(worker: Worker): Promise<object> {
  return new Promise((resolve) => worker.once('message', resolve));
}

async function primary(): Promise<void> {
  deadline(15_000);
  console.log('Lesson 03: fork and IPC\n');
  console.log(`primary: pid ${process.pid}, cluster.isPrimary ${cluster.isPrimary}, cluster.isWorker ${cluster.isWorker}\n`);

  // Every cluster event, as it happens. 'fork' comes first (the child
  // process exists), 'online' when the worker's bootstrap has run.
  cluster.on('fork', (w) => console.log(`  event 'fork'    worker ${w.id} (pid ${w.process.pid})`));
  cluster.on('online', (w) => console.log(`  event 'online'  worker ${w.id}`));
  // Every user message also surfaces on the cluster, with the worker first.
  let clusterMessages = 0;
  cluster.on('message', () => clusterMessages++);

  const workers = [cluster.fork(), cluster.fork()];
  for (const w of workers) track(w.process as ChildProcess);

  // The 'online' notice travels on the same channel as our messages, but
  // tagged with a cmd that starts with NODE_, so it never reaches 'message'.
  workers[0].process.once('internalMessage', (raw: unknown) =>
    console.log(`  (internal, not a 'message': ${JSON.stringify(raw)})`));

  // The first message from each worker is the one it sent unprompted.
  const ready = await Promise.all(workers.map(nextMessage));
  await Promise.all(workers.map((w) => new Promise((resolve) => (w.state === 'online' ? resolve(null) : w.once('online', resolve)))));

  console.log('\nmessages, both ways');
  for (const [i, w] of workers.entries()) {
    console.log(`  worker ${w.id} -> primary  ${JSON.stringify(ready[i])}`);
    const hello = { hello: `hello worker ${w.id}` };
    const reply = nextMessage(w);
    w.send(hello); // the primary's end: worker.send() => the child's process.on('message')
    console.log(`  primary -> worker ${w.id}  ${JSON.stringify(hello)}`);
    console.log(`  worker ${w.id} -> primary  ${JSON.stringify(await reply)}`);
  }

  console.log('\nthe Worker objects, in the primary');
  for (const w of workers) {
    console.log(`  worker ${w.id}: process.pid ${w.process.pid}, state '${w.state}', isConnected() ${w.isConnected()}, isDead() ${w.isDead()}`);
  }
  console.log(`  Object.keys(cluster.workers): ${JSON.stringify(Object.keys(cluster.workers!))}`);
  console.log(`  cluster.on('message') saw the same ${clusterMessages} messages, each with its worker as first argument`);

  // Let them go: disconnect closes the channel, and a worker with nothing
  // left to do exits. (Lesson 09 follows this part closely.)
  await new Promise<void>((resolve) => cluster.disconnect(resolve));
  console.log(`\nafter cluster.disconnect(): cluster.workers ${JSON.stringify(cluster.workers)}, both exited: ${workers.every((w) => w.isDead())}`);
  finish(0);
}

if (cluster.isWorker) worker();
else await primary();
