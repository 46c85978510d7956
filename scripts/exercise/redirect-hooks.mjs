/**
 * The import half of redirect.cjs: a module resolve hook (module.register)
 * that loads a learner's workspace copy of each exercised engine file, and
 * resolves the imports of that copy as if it sat in src/.
 *
 * Mirrors: nothing — teaching helper
 * Read next: scripts/exercise/redirect.cjs
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import redirect from './redirect.cjs';

const { toSource, toWorkspace } = redirect;

function asPath(url) {
  return url?.startsWith('file:') ? fileURLToPath(url) : null;
}

export async function resolve(specifier, context, nextResolve) {
  const parent = asPath(context.parentURL);
  const twin = parent === null ? null : toSource(parent);
  const resolved = await nextResolve(specifier, twin !== null && twin !== parent ? { ...context, parentURL: pathToFileURL(twin).href } : context);
  const file = asPath(resolved.url);
  if (file === null) return resolved;
  const swapped = toWorkspace(file);
  return swapped === file ? resolved : { ...resolved, url: pathToFileURL(swapped).href };
}
