/** A small hand-written SVG line chart (log or linear axes), so results need no plotting library. */

export interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  points: [number, number][];
}

export interface ChartSpec {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  logX: boolean;
  logY: boolean;
  series: Series[];
}

const W = 760;
const H = 460;
const M = { left: 70, right: 220, top: 56, bottom: 56 };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function label(v: number): string {
  if (v >= 10000) return `${+(v / 1000).toPrecision(3)}k`;
  if (v >= 1) return String(+v.toPrecision(3));
  return String(+v.toPrecision(2));
}

interface Axis {
  lo: number;
  hi: number;
  ticks: number[];
  map(v: number, from: number, to: number): number;
}

/** `tight`: span the data (with a margin) rather than whole decades, for few labelled points. */
function axis(values: number[], log: boolean, tight = false): Axis {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (!Number.isFinite(lo)) [lo, hi] = [1, 10];
  if (log) {
    if (tight) {
      lo /= 1.4;
      hi *= 1.4;
    } else {
      lo = 10 ** Math.floor(Math.log10(lo));
      hi = 10 ** Math.ceil(Math.log10(hi));
      if (hi <= lo) hi = lo * 10;
    }
    const ticks: number[] = [];
    for (let d = lo; d <= hi * 1.0001; d *= 10)
      for (const m of [1, 2, 5]) if (d * m <= hi * 1.0001) ticks.push(d * m);
    const l = Math.log10;
    return { lo, hi, ticks, map: (v, a, b) => a + ((l(v) - l(lo)) / (l(hi) - l(lo))) * (b - a) };
  }
  lo = Math.min(0, lo);
  if (hi <= lo) hi = lo + 1;
  const step = 10 ** Math.floor(Math.log10((hi - lo) / 5));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= 8) ?? step * 10;
  hi = Math.ceil(hi / nice) * nice;
  const ticks: number[] = [];
  for (let v = lo; v <= hi + nice / 2; v += nice) ticks.push(v);
  return { lo, hi, ticks, map: (v, a, b) => a + ((v - lo) / (hi - lo)) * (b - a) };
}

export function lineChart(spec: ChartSpec): string {
  const xs = spec.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = spec.series.flatMap((s) => s.points.map((p) => p[1]));
  // Few x values (pod steps) are labelled themselves, so the axis need only span them.
  const fewX = spec.logX && new Set(xs).size <= 8;
  const ax = axis(xs, spec.logX, fewX);
  const ay = axis(ys, spec.logY);
  const x0 = M.left;
  const x1 = W - M.right;
  const y0 = H - M.bottom;
  const y1 = M.top;
  const px = (v: number) => ax.map(v, x0, x1).toFixed(1);
  const py = (v: number) => ay.map(v, y0, y1).toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - M.right / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(spec.title)}</text>`,
  ];
  if (spec.subtitle) {
    out.push(
      `<text x="${W / 2 - M.right / 2}" y="40" text-anchor="middle" fill="#555">${esc(spec.subtitle)}</text>`,
    );
  }
  const xTicks = fewX ? [...new Set(xs)].sort((a, b) => a - b) : ax.ticks;
  for (const t of ay.ticks) {
    out.push(`<line x1="${x0}" x2="${x1}" y1="${py(t)}" y2="${py(t)}" stroke="#e5e5e5"/>`);
    out.push(
      `<text x="${x0 - 6}" y="${py(t)}" text-anchor="end" dominant-baseline="middle">${label(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    out.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${y0}" y2="${y1}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${px(t)}" y="${y0 + 16}" text-anchor="middle">${label(t)}</text>`);
  }
  out.push(`<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${(x0 + x1) / 2}" y="${H - 14}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  out.push(
    `<text x="16" y="${(y0 + y1) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(y0 + y1) / 2})">${esc(spec.yLabel)}</text>`,
  );
  spec.series.forEach((s, i) => {
    const pts = s.points.filter(
      ([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!spec.logY || y > 0),
    );
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (pts.length > 1) {
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${pts.map(([x, y]) => `${px(x)},${py(y)}`).join(' ')}"/>`,
      );
    }
    for (const [x, y] of pts) {
      out.push(
        `<circle cx="${px(x)}" cy="${py(y)}" r="3.5" fill="${s.color}"><title>${esc(`${s.name}: ${label(y)} at ${x}`)}</title></circle>`,
      );
    }
    const ly = y1 + 10 + i * 20;
    out.push(
      `<line x1="${x1 + 14}" x2="${x1 + 40}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    out.push(`<text x="${x1 + 46}" y="${ly}" dominant-baseline="middle">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
