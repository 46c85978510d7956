// Rules every file under src/ keeps: it rebuilds cluster rather than using
// Node's, and it opens with a header comment saying which Node file it
// mirrors (`Mirrors:`) and what to read next (`Read next:`), so a reader can
// open the two side by side (README.md, "Contributing").
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const files = fs.readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(src, f));

describe('the files under src/', () => {
  it('never import or require node:cluster', () => {
    const offenders = files.filter((f) => /from ['"](node:)?cluster['"]|require\(['"](node:)?cluster['"]\)|import\(['"](node:)?cluster['"]\)/.test(fs.readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('each open with a header naming the Node file they mirror and what to read next', () => {
    const missing = files.filter((f) => {
      const header = fs.readFileSync(f, 'utf8').slice(0, 1500);
      return !/Mirrors:/.test(header) || !/Read next:/.test(header);
    });
    expect(missing.map((f) => path.relative(src, f))).toEqual([]);
  });
});
