/**
 * The paper-like house style shared by every figure: white background, thin axis lines, one font that is
 * installed with Debian's fonts-dejavu-core (so exported files look the same on every machine), and a
 * fixed colour per searcher so a colour means the same thing in every figure.
 */
export const FONT = { family: "DejaVu Sans, Arial, sans-serif", size: 13, color: "#222" };

export const COLORS = {
  deeptune: "#1f77b4",
  deeptuneTl: "#2ca02c",
  random: "#7f7f7f",
  bayes: "#ff7f0e",
  crash: "#d62728",
  unicorn: "#9467bd",
  memory: "#8c564b",
} as const;

export const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

export function axis(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: title },
    showline: true,
    linecolor: "#444",
    mirror: false,
    ticks: "outside",
    zeroline: false,
    gridcolor: "#e5e5e5",
    ...extra,
  };
}

export function baseLayout(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: title, x: 0.02, xanchor: "left" },
    font: FONT,
    paper_bgcolor: "white",
    plot_bgcolor: "white",
    margin: { l: 70, r: 70, t: 50, b: 55 },
    legend: { orientation: "h", y: -0.2 },
    ...extra,
  };
}

/** A colour with transparency, for shaded spread bands. */
export function translucent(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}
