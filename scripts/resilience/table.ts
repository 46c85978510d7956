// Plain-text tables for the resilience report: no colours, so they read the
// same in a terminal, a log file or a note.
// Mirrors: nothing — teaching helper
// Read next: scripts/resilience/main.ts

export function table(title: string, header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [`\n${title}\n`, line(header), rule, ...cells.slice(1).map(line)].join('\n');
}

export const yes = (ok: boolean): string => (ok ? 'yes' : 'NO');
