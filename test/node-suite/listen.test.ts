// Node's own cluster tests about listening (binding, closing and listening
// again, ref and unref), each rewritten as a case program and run against
// node:cluster and mini-cluster.
import { defineCases } from './define.ts';

defineCases("Node's cluster tests: listening", [
  { node: 'test-cluster-server-restart-rr', file: 'server-restart.cjs', env: { CASE_POLICY: 'rr' }, it: 'a round-robin worker closes and listens again while another listens, and both exit with code 0' },
  { node: 'test-cluster-server-restart-none', file: 'server-restart.cjs', env: { CASE_POLICY: 'none' }, it: 'a SCHED_NONE worker closes and listens again while another listens, and both exit with code 0' },
  { node: 'test-cluster-rr-ref', file: 'rr-ref.cjs', it: 'unref() then ref() on a round-robin server, then close(): the close callback runs' },
  { node: 'test-cluster-shared-handle-bind-error', file: 'shared-handle-bind-error.cjs', it: 'a SCHED_NONE worker listening on a taken port gets EADDRINUSE and still exits with code 0' },
]);
