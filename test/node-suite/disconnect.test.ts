// Node's own cluster tests about leaving (disconnect, kill, exit), each
// rewritten as a case program and run against node:cluster and mini-cluster.
import { defineCases } from './define.ts';

defineCases("Node's cluster tests: disconnect and exit", [
  { node: 'test-cluster-disconnect-leak', file: 'disconnect-leak.cjs', it: 'a SCHED_NONE worker disconnected while its server binds still disconnects and exits' },
]);
