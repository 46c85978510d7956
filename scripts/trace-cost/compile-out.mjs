// Loader for the "compiled out" variant of scripts/trace-cost.ts: registers
// hooks that rewrite mini-cluster's sources as they load so that every trace
// guard (`if (tracing)`, `tracing &&`) becomes `false`, which V8 drops as
// dead code. Passed to primaries and workers through NODE_OPTIONS.
import { register } from 'node:module';

register('./compile-out-hooks.mjs', import.meta.url);
