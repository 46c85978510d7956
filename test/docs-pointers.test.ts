// Pointers stay true: every relative Markdown link resolves (and its #anchor
// is a heading there), every path a source file's `Mirrors:` or `Read next:`
// line names exists, and every symbol named next to a path, in a header
// (`src/worker/child.ts (onconnection)`) or in prose (`` `queryServer` in
// [`src/master/onmessage.ts`](...) ``), is defined in that file.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function walk(dir: string, keep: (file: string) => boolean): string[] {
  if (!fs.existsSync(path.join(ROOT, dir))) return [];
  return fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => !f.split(path.sep).includes('node_modules') && keep(f) && fs.statSync(path.join(ROOT, f)).isFile());
}

const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Markdown with fenced code blocks blanked out (links in a transcript are not links). */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, (block) => block.replace(/[^\n]/g, ' '));
}

/** GitHub's anchors: lower case, punctuation dropped, spaces to hyphens, -1, -2 for repeats. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, title] of prose(markdown).matchAll(/^#{1,6}\s+(.*?)\s*#*\s*$/gm)) {
    const base = title.replace(/<[^>]+>/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** True if `source` defines `name`: a declaration, a method, a property or an assignment to it. */
export function defines(source: string, name: string): boolean {
  const n = name.replace(/[$]/g, '\\$');
  const modifiers = '(?:(?:export|default|public|private|protected|static|readonly|async|get|set|override|declare)\\s+)*';
  return [
    new RegExp(`\\b(?:function\\*?|class|interface|type|enum|const|let|var)\\s+${n}\\b`),
    new RegExp(`^\\s*${modifiers}#?${n}\\s*[?!]?\\s*(?:<[^>]*>)?\\(.*\\)[^=;]*\\{\\s*$`, 'm'), // a method with its body
    new RegExp(`^\\s*${modifiers}#?${n}\\s*[?!]?\\s*[:=]`, 'm'), // a property, or a field
    new RegExp(`^\\s*${n},?\\s*$`, 'm'), // a shorthand property of an object literal (acts = { ..., queryServer, ... })
    new RegExp(`\\.${n}\\s*=[^=]`), // cluster.fork = function ...
  ].some((pattern) => pattern.test(source));
}

/** A symbol as prose names it, reduced to what the file must define; null for what is not a symbol. */
function symbolOf(text: string): string | null {
  const m = /^#?([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(?:\(\))?$/.exec(text.trim());
  return m ? m[1].split('.').at(-1)! : null;
}

/** What a pointer resolves to: null if the path does not exist, else whether each symbol is there. */
function check(target: string, symbols: string[]): string[] {
  const problems: string[] = [];
  const full = path.join(ROOT, target);
  if (!fs.existsSync(full)) return [`${target}: no such file`];
  if (symbols.length === 0 || fs.statSync(full).isDirectory()) return problems;
  const source = read(target);
  for (const symbol of symbols) {
    const ok = target.endsWith('.md')
      ? [...anchors(source)].some((a) => a.includes(symbol.toLowerCase()))
      : defines(source, symbol);
    if (!ok) problems.push(`${target}: no ${symbol}`);
  }
  return problems;
}

// ---- Markdown links ----

const markdownFiles = ['README.md', ...['docs', 'lessons', 'src', 'scripts'].flatMap((d) => walk(d, (f) => f.endsWith('.md')))];

/** Every relative link of a Markdown file that points nowhere (external links are not checked). */
export function brokenLinks(file: string, markdown = read(file)): string[] {
  const broken: string[] = [];
  const text = prose(markdown);
  for (const [, target] of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    if (/^[a-z][a-z+.-]*:/i.test(target)) continue; // https:, mailto:
    const [pathPart, fragment] = target.split('#') as [string, string | undefined];
    const resolved = pathPart === '' ? file : path.normalize(path.join(path.dirname(file), decodeURIComponent(pathPart)));
    if (resolved.startsWith('..') || !fs.existsSync(path.join(ROOT, resolved))) {
      broken.push(`${file}: [${target}] does not exist`);
      continue;
    }
    if (fragment !== undefined && resolved.endsWith('.md') && !anchors(read(resolved)).has(fragment.toLowerCase())) {
      broken.push(`${file}: [${target}] has no heading #${fragment}`);
    }
  }
  return broken;
}

/** `` `sym` in [`path`](link) `` (also `` `a` and `b` in ``): each symbol must be defined in the linked source file. */
export function missingProseSymbols(file: string, markdown = read(file)): string[] {
  const problems: string[] = [];
  const pattern = /((?:`[^`\n]+`(?:,\s*|\s+and\s+|\s+or\s+))*`[^`\n]+`)\s+in\s+\[[^\]]*\]\(([^)#\s]+)(?:#[^)]*)?\)/g;
  for (const [, names, target] of prose(markdown).matchAll(pattern)) {
    if (/^[a-z][a-z+.-]*:/i.test(target) || !/\.(ts|mjs)$/.test(target)) continue;
    const resolved = path.normalize(path.join(path.dirname(file), target));
    const symbols = [...names.matchAll(/`([^`]+)`/g)].map((m) => symbolOf(m[1])).filter((s): s is string => s !== null);
    problems.push(...check(resolved, symbols).map((p) => `${file}: ${p}`));
  }
  return problems;
}

// ---- Mirrors: / Read next: in source headers ----

const sourceFiles = ['src', 'scripts', 'lessons', 'test'].flatMap((d) => walk(d, (f) => /\.(ts|mjs)$/.test(f)));

/**
 * The repository paths a header's `Mirrors:` and `Read next:` lines name,
 * each with the symbols in the parentheses after it. Node's own paths
 * (lib/...) are Node's, not ours, and are not checked; `rolling.ts` after
 * `src/supervisor/supervisor.ts` is in the same folder.
 */
export function headerPointers(file: string, source = read(file)): { target: string; symbols: string[] }[] {
  const header = source.slice(0, 2000);
  const lines = [...header.matchAll(/(?:Mirrors|Read next):([^\n]*(?:\n[ \t]*(?:\*|\/\/) {2,}[^\n]*)*)/g)].map((m) => m[1].replace(/\n[ \t]*(?:\*|\/\/)/g, ' '));
  const found: { target: string; symbols: string[] }[] = [];
  for (const line of lines) {
    let folder = path.dirname(file);
    const token = /((?:README\.md|(?:src|lessons|scripts|test|docs)\/[\w./-]*|[\w-]+\.(?:ts|md|mjs)))(\s*\(([^()]*(?:\(\))?[^()]*)\)|\s+([A-Za-z_$][\w$]*)\(\))?/g;
    for (const [, name, , inParens, called] of line.matchAll(token)) {
      if (/^lib\//.test(name)) continue;
      const target = name.includes('/') || name === 'README.md' ? name : path.join(folder, name);
      if (name.includes('/')) folder = name.endsWith('/') ? name : path.dirname(name);
      const items = inParens === undefined ? (called === undefined ? [] : [called]) : inParens.split(/[,;]/);
      const symbols = items
        .map((item) => /^\s*([#A-Za-z_$][\w$.]*(?:\(\))?)\s*(?::.*)?$/.exec(item)?.[1])
        .map((s) => (s === undefined ? null : symbolOf(s)))
        .filter((s): s is string => s !== null);
      found.push({ target: path.normalize(target.replace(/\/$/, '')), symbols });
    }
  }
  return found;
}

describe('the pointers a reader follows', () => {
  it('finds Markdown files and source headers to check', () => {
    expect(markdownFiles.length).toBeGreaterThan(20);
    expect(sourceFiles.filter((f) => headerPointers(f).length > 0).length).toBeGreaterThan(50);
  });

  it('resolve: every relative Markdown link names a file that exists, and a heading there if it has #anchor', () => {
    expect(markdownFiles.flatMap((f) => brokenLinks(f))).toEqual([]);
  });

  it('name symbols the linked source file defines (`name` in [`file`](...))', () => {
    expect(markdownFiles.flatMap((f) => missingProseSymbols(f))).toEqual([]);
  });

  it('in Mirrors: and Read next: lines, name files that exist and symbols those files define', () => {
    const problems = sourceFiles.flatMap((f) => headerPointers(f).flatMap(({ target, symbols }) => check(target, symbols).map((p) => `${f}: ${p}`)));
    expect(problems).toEqual([]);
  });
});

describe('the pointer checks themselves', () => {
  it('report a link to a file that does not exist, and an anchor that is no heading', () => {
    expect(brokenLinks('docs/x.md', 'See [the map](mapping.md) and [nothing](nothing.md).')).toEqual(['docs/x.md: [nothing.md] does not exist']);
    expect(brokenLinks('docs/x.md', '[ok](sources.md#the-tutorial), [bad](sources.md#no-such-heading)')).toEqual(['docs/x.md: [sources.md#no-such-heading] has no heading #no-such-heading']);
    expect(brokenLinks('docs/x.md', '[ext](https://example.org/nowhere)\n```\n[in a transcript](nowhere.md)\n```')).toEqual([]);
  });

  it('report a Read next: path that does not exist, and a symbol the named file does not define', () => {
    const header = '/**\n * Mirrors: nothing\n * Read next: src/master/onmessage.ts (queryServer), src/master/nowhere.ts\n */';
    const pointers = headerPointers('src/x.ts', header);
    expect(pointers).toEqual([{ target: 'src/master/onmessage.ts', symbols: ['queryServer'] }, { target: 'src/master/nowhere.ts', symbols: [] }]);
    expect(pointers.flatMap(({ target, symbols }) => check(target, symbols))).toEqual(['src/master/nowhere.ts: no such file']);
    expect(check('src/master/primary.ts', ['queryServer'])).toEqual(['src/master/primary.ts: no queryServer']);
  });

  it('report a symbol named in prose that the linked file does not define', () => {
    const text = '`queryServer` in [`src/master/onmessage.ts`](../src/master/onmessage.ts); `onconnection` in [`src/master/primary.ts`](../src/master/primary.ts)';
    expect(missingProseSymbols('docs/x.md', text)).toEqual(['docs/x.md: src/master/primary.ts: no onconnection']);
  });

  it('compute the anchors GitHub gives headings', () => {
    expect(anchors('# A title\n## 3. Differences from Node, at a glance\n## Twice\n## Twice')).toEqual(new Set(['a-title', '3-differences-from-node-at-a-glance', 'twice', 'twice-1']));
  });
});
