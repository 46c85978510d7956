// A tiny grouped bar chart drawn as an inline SVG string, so the HTML report
// needs no library, no script and no network to show its charts.
// Mirrors: nothing — teaching helper
// Read next: scripts/compare/html.ts
//
// groups along x, bars inside a group side by side, y from 0 to the largest value:
//
//   ▇ ▆     ▅ ▇
//   mini node   (one group per label, e.g. 'rr' and 'none')

export interface Bar {
  label: string; // shown in the tooltip and under the bar
  value: number | null; // null draws no bar and prints '–'
  color: string;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

export interface ChartOptions {
  title: string;
  groups: BarGroup[];
  format: (value: number) => string;
  width?: number;
  height?: number;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function barChart({ title, groups, format, width = 360, height = 220 }: ChartOptions): string {
  const top = 34; // room for the title
  const bottom = 40; // room for bar and group labels
  const side = 12;
  const plotHeight = height - top - bottom;
  const values = groups.flatMap((g) => g.bars.map((b) => b.value ?? 0)).filter(Number.isFinite);
  const max = Math.max(0, ...values) || 1;
  const groupWidth = (width - 2 * side) / Math.max(1, groups.length);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="${width / 2}" y="18" text-anchor="middle" class="title">${escapeHtml(title)}</text>`,
    `<line x1="${side}" y1="${top + plotHeight}" x2="${width - side}" y2="${top + plotHeight}" class="axis"/>`,
  ];
  groups.forEach((group, g) => {
    const x0 = side + g * groupWidth;
    const barWidth = Math.min(48, (groupWidth - 12) / Math.max(1, group.bars.length));
    const startX = x0 + (groupWidth - barWidth * group.bars.length) / 2;
    group.bars.forEach((b, i) => {
      const x = startX + i * barWidth;
      const shown = b.value !== null && Number.isFinite(b.value) ? b.value : 0;
      const h = (shown / max) * plotHeight;
      const y = top + plotHeight - h;
      const label = b.value === null ? '–' : b.value === Infinity ? '∞' : format(b.value);
      parts.push(
        `<rect class="bar" x="${(x + 2).toFixed(1)}" y="${y.toFixed(1)}" width="${(barWidth - 4).toFixed(1)}" height="${h.toFixed(1)}" fill="${b.color}"><title>${escapeHtml(`${group.label} ${b.label}: ${label}`)}</title></rect>`,
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle" class="value">${escapeHtml(label)}</text>`,
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${top + plotHeight + 14}" text-anchor="middle" class="barlabel">${escapeHtml(b.label)}</text>`,
      );
    });
    parts.push(`<text x="${(x0 + groupWidth / 2).toFixed(1)}" y="${height - 8}" text-anchor="middle" class="group">${escapeHtml(group.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
