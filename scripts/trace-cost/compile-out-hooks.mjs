// The hooks registered by compile-out.mjs. Only files under src/ are touched.
const SRC = new URL('../../src/', import.meta.url).href;

export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  if (!url.startsWith(SRC) || url.endsWith('/trace.ts') || loaded.source == null) return loaded;
  const source = String(loaded.source)
    .replace(/\bif \(tracing\)/g, 'if (false)')
    .replace(/\btracing &&/g, 'false &&');
  return { ...loaded, source };
}
