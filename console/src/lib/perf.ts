// Marks the benchmarks read (benchmarks/console_*.py, through the Performance API): when a view is on
// screen, not merely rendered. A message posted from an animation frame arrives after that frame's
// style, layout and paint, so the mark's time includes them.
export function markPainted(name: string, detail?: unknown): void {
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      performance.mark(name, { detail });
      channel.port1.close();
    };
    channel.port2.postMessage(null);
  });
}

const marked = new Set<string>();

/** markPainted once per page load (the first load's figure, not every visit of the view). */
export function markPaintedOnce(name: string, detail?: unknown): void {
  if (marked.has(name)) return;
  marked.add(name);
  markPainted(name, detail);
}
