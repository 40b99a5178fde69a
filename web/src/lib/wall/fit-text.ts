/**
 * A Svelte action: the text of `node` (one line) is shrunk in steps until it fits its box, down to
 * `floor` × its CSS size and never under `minPx`. What is still too wide then takes two lines with
 * `wrap` (the class `wrapped`, styled by the element's owner), else ends in "…" (the element's own
 * `text-overflow: ellipsis`). Re-fits when the box or the text changes (issue 18).
 */
export interface FitOptions {
  /** What is shown; a change re-fits. */
  text: string;
  /** The smallest size as a share of the CSS size. */
  floor?: number;
  minPx?: number;
  /** Two lines at the smallest size rather than one cut short. */
  wrap?: boolean;
}

const STEP = 0.94;

export function fitText(node: HTMLElement, options: FitOptions) {
  let current = options;
  const fit = () => {
    node.style.fontSize = '';
    node.classList.remove('wrapped');
    const base = parseFloat(getComputedStyle(node).fontSize);
    if (!(base > 0) || node.scrollWidth <= node.clientWidth) return;
    const smallest = Math.max(current.minPx ?? 14, base * (current.floor ?? 0.6));
    let size = base;
    while (node.scrollWidth > node.clientWidth && size > smallest) {
      size = Math.max(smallest, size * STEP);
      node.style.fontSize = `${size}px`;
    }
    if (current.wrap && node.scrollWidth > node.clientWidth) node.classList.add('wrapped');
  };
  const observer = new ResizeObserver(() => fit());
  // The box that limits the text: its size changes with the tile, not with the font size set here.
  observer.observe(node.parentElement ?? node);
  fit();
  return {
    update(next: FitOptions) {
      const changed =
        next.text !== current.text || next.floor !== current.floor || next.minPx !== current.minPx || next.wrap !== current.wrap;
      current = next;
      if (changed) fit();
    },
    destroy() {
      observer.disconnect();
    },
  };
}
