// Node's own cluster tests about starting workers and talking to them
// (settings, messages, the Worker object), each rewritten as a case program
// and run against node:cluster and mini-cluster.
import { defineCases } from './define.ts';

defineCases("Node's cluster tests: setup and messages", [
  { node: 'test-cluster-worker-init', file: 'worker-init.cjs', it: "a message sent on 'online' reaches the worker's first listener, and disconnect() returns the worker" },
  { node: 'test-cluster-advanced-serialization', file: 'advanced-serialization.cjs', it: "with serialization 'advanced', a self-referring object sent on 'online' comes back equal" },
  { node: 'test-cluster-worker-constructor', file: 'worker-constructor.cjs', it: 'cluster.Worker works with no options, with options, and called without new' },
  { node: 'test-cluster-send-deadlock', file: 'send-deadlock.cjs', it: 'sockets sent to a worker and straight back do not deadlock, and the worker exits with code 0' },
  { node: 'test-cluster-fork-env', file: 'fork-env.cjs', it: "fork(env) adds variables and overrides the primary's own" },
  { node: 'test-cluster-setup-primary-emit', file: 'setup-primary-emit.cjs', it: "setupPrimary() emits 'setup' with the settings each time, exec included" },
  { node: 'test-cluster-worker-events', file: 'worker-events.cjs', it: "a worker sees each message on process and on cluster.worker, and process 'error' on cluster.worker" },
  { node: 'test-cluster-setup-primary-cumulative', file: 'setup-primary-cumulative.cjs', it: 'setupPrimary() fills in the defaults once and later calls change only what they name' },
  { node: 'test-cluster-cwd', file: 'cwd.cjs', it: "a worker starts in the primary's directory, or in settings.cwd once set" },
  { node: 'test-cluster-send-socket-to-worker-http-server', file: 'send-socket-to-worker-http-server.cjs', it: "a socket sent to a worker and emitted as 'connection' on its HTTP server has socket.server set" },
  { node: 'test-cluster-send-handle-large-payload', file: 'send-handle-large-payload.cjs', it: 'a message of 800 kB sent with a socket arrives whole, with the socket, both ways' },
]);
