/**
 * Makes a process load a learner's workspace copy of an engine file instead
 * of src's, for `npm run exercise N -- --check`. The lesson checks spawn real
 * primaries and workers, so vitest's own resolver never sees their imports:
 * this file is preloaded into each of them instead, by NODE_OPTIONS
 * (`--require`), which every process of the run inherits, workers included.
 * MINI_CLUSTER_EXERCISE (JSON: root, workspace, files) says what to swap.
 * Without it this file does nothing.
 *
 * Mirrors: nothing — teaching helper
 * Read next: scripts/exercise/redirect-hooks.mjs (the ESM half), scripts/exercise/check.ts
 *
 *   require('../master/round-robin-handle.ts')  from src/master/primary.ts
 *     => resolves to <root>/src/master/round-robin-handle.ts => swapped for <workspace>/src/master/round-robin-handle.ts
 *   require('../ipc.ts')  from <workspace>/src/master/round-robin-handle.ts
 *     => resolved as if from <root>/src/master/ (the workspace holds only the exercised files)
 *
 * Plain JavaScript, and CommonJS: a --require preload runs before tsx is
 * loaded, and before any --import. Workers load the engine with require()
 * (their bootstrap is a --require preload too), primaries with import, so
 * both resolvers are covered: Module._resolveFilename here, a module.register()
 * resolve hook for import.
 */
'use strict';
const path = require('node:path');
const Module = require('node:module');
const { isMainThread } = require('node:worker_threads');

const setting = process.env.MINI_CLUSTER_EXERCISE ? JSON.parse(process.env.MINI_CLUSTER_EXERCISE) : null;

/** src path => workspace path, for the exercised files only. */
const swaps = new Map();
const workspaceSrc = setting && path.join(setting.workspace, 'src') + path.sep;
if (setting) {
  for (const file of setting.files) swaps.set(path.join(setting.root, file), path.join(setting.workspace, file));
}

/** The workspace copy of `file` if it is exercised, else `file` itself. */
function toWorkspace(file) {
  return swaps.get(file) ?? file;
}

/** A file in the workspace stands in for its twin under src/: relative imports resolve from there. */
function toSource(file) {
  return workspaceSrc && file.startsWith(workspaceSrc) ? path.join(setting.root, 'src', file.slice(workspaceSrc.length)) : file;
}

module.exports = { setting, toWorkspace, toSource };

if (setting && !Module[Symbol.for('mini-cluster:exercise-redirect')]) {
  Module[Symbol.for('mini-cluster:exercise-redirect')] = true;

  // require(): resolve as if from the src twin, then swap the result. tsx's
  // own hook, installed after this one, calls this one to resolve.
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    let from = parent;
    if (parent?.filename && toSource(parent.filename) !== parent.filename) {
      const twin = toSource(parent.filename);
      from = Object.create(parent, {
        filename: { value: twin },
        id: { value: twin },
        paths: { value: Module._nodeModulePaths(path.dirname(twin)) },
      });
    }
    return toWorkspace(resolveFilename.call(this, request, from, ...rest));
  };

  // import: the same, as a resolve hook. Node runs --require preloads in the
  // hooks thread too; registering from there would recurse.
  if (isMainThread) Module.register('./redirect-hooks.mjs', require('node:url').pathToFileURL(__filename));
}
