// Node's own cluster tests about leaving (disconnect, kill, exit), each
// rewritten as a case program and run against node:cluster and mini-cluster.
import { defineCases } from './define.ts';

defineCases("Node's cluster tests: disconnect and exit", [
  { node: 'test-cluster-disconnect-leak', file: 'disconnect-leak.cjs', it: 'a SCHED_NONE worker disconnected while its server binds still disconnects and exits' },
  { node: 'test-cluster-disconnect-idle-worker', file: 'disconnect-idle-worker.cjs', it: 'cluster.disconnect() right after two fork() calls waits for both idle workers and empties cluster.workers' },
  { node: 'test-cluster-concurrent-disconnect', file: 'concurrent-disconnect.cjs', it: 'workers that disconnect and destroy themselves at once all exit with code 0' },
  { node: 'test-cluster-disconnect-with-no-workers', file: 'disconnect-with-no-workers.cjs', it: 'cluster.disconnect() with no workers calls back, never synchronously' },
  { node: 'test-cluster-worker-no-exit', file: 'worker-no-exit.cjs', it: 'a disconnected worker stays alive while it holds a connection and exits once it is gone' },
  { node: 'test-cluster-worker-isdead', file: 'worker-isdead.cjs', it: "isDead() is false after fork() and inside the worker, true on 'exit'" },
  { node: 'test-cluster-worker-disconnect-on-error', file: 'worker-disconnect-on-error.cjs', it: "a SCHED_NONE worker whose listen() fails disconnects from its server's 'error' handler and exits" },
  { node: 'test-cluster-worker-isconnected', file: 'worker-isconnected.cjs', it: 'isConnected() is true from fork() on, on both sides, and false once the channel closes' },
  { node: 'test-cluster-kill-disconnect', file: 'kill-disconnect.cjs', it: "a worker that calls its own disconnect() or kill() is exitedAfterDisconnect on 'disconnect' and on 'exit'" },
  { node: 'test-cluster-invalid-message', file: 'invalid-message.cjs', it: 'an internal-looking message with an unknown ack leaves the worker able to disconnect and exit with code 0' },
  { node: 'test-cluster-worker-destroy', file: 'worker-destroy.cjs', it: 'destroy() inside a worker, connected or not, ends in disconnect and exit' },
  { node: 'test-cluster-disconnect-race', file: 'disconnect-race.cjs', it: "a SCHED_NONE worker disconnected as the next is forked, and the next disconnected on 'online', both exit with code 0" },
  { node: 'test-cluster-worker-forced-exit', file: 'worker-forced-exit.cjs', it: "a worker whose channel closes without the cluster's disconnect exits at once with 0; one disconnected by worker.disconnect() exits with its own code" },
]);
