/**
 * The fleet as a grid of cells on one canvas (10k devices are 10k cells: one canvas
 * draws them in a few milliseconds, 10k DOM nodes would not). The canvas is one tab
 * stop: arrow keys move a cursor cell, Enter opens it, and a live region says which
 * device the cursor is on; the alarm table is the list view of the same devices.
 */
import type { Fleet } from './api';
import { labelText, stateColor } from './colors';

const GAP = 1;

export interface FleetGrid {
  show(fleet: Fleet, order: number[], selected: string | null): void;
}

export function fleetGrid(canvas: HTMLCanvasElement, status: HTMLElement, open: (deviceId: string) => void): FleetGrid {
  let fleet: Fleet | null = null;
  let order: number[] = [];
  let cursor = 0;
  let cols = 1;
  let cell = 12;

  const describe = (pos: number): string => {
    if (!fleet || order.length === 0) return 'no devices';
    const k = order[pos]!;
    const v = fleet.devices.verdict[k] ?? null;
    return `${fleet.devices.deviceId[k]}: ${v === null ? 'no data' : v === 'normal' ? 'normal' : `alarm ${labelText(v)}`} (${pos + 1} of ${order.length})`;
  };

  function layout(): void {
    const width = canvas.parentElement?.clientWidth ?? 600;
    // cells shrink with the fleet so that 10k devices stay on a screen or two
    cell = order.length > 4000 ? 6 : order.length > 1000 ? 9 : 14;
    cols = Math.max(1, Math.floor(width / cell));
    const rows = Math.max(1, Math.ceil(order.length / cols));
    const ratio = window.devicePixelRatio || 1;
    canvas.style.width = `${cols * cell}px`;
    canvas.style.height = `${rows * cell}px`;
    canvas.width = Math.round(cols * cell * ratio);
    canvas.height = Math.round(rows * cell * ratio);
    const ctx = canvas.getContext('2d')!;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  }

  function draw(): void {
    const ctx = canvas.getContext('2d')!;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!fleet) return;
    const verdict = fleet.devices.verdict;
    // one fillStyle change per colour run: the order groups cells by state
    let last = '';
    for (let i = 0; i < order.length; i++) {
      const c = stateColor(verdict[order[i]!] ?? null);
      if (c !== last) ctx.fillStyle = last = c;
      ctx.fillRect((i % cols) * cell, Math.floor(i / cols) * cell, cell - GAP, cell - GAP);
    }
    if (document.activeElement === canvas && order.length > 0) {
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2;
      ctx.strokeRect((cursor % cols) * cell - 1, Math.floor(cursor / cols) * cell - 1, cell + 1, cell + 1);
    }
  }

  const at = (e: MouseEvent): number | null => {
    const r = canvas.getBoundingClientRect();
    const col = Math.floor((e.clientX - r.left) / cell);
    const pos = Math.floor((e.clientY - r.top) / cell) * cols + col;
    return col < cols && pos >= 0 && pos < order.length ? pos : null;
  };

  canvas.addEventListener('click', (e) => {
    const pos = at(e);
    if (pos !== null && fleet) open(fleet.devices.deviceId[order[pos]!]!);
  });
  canvas.addEventListener('mousemove', (e) => {
    const pos = at(e);
    canvas.title = pos === null ? '' : describe(pos);
  });
  canvas.addEventListener('focus', () => {
    status.textContent = describe(cursor);
    draw();
  });
  canvas.addEventListener('blur', draw);
  canvas.addEventListener('keydown', (e) => {
    if (!fleet || order.length === 0) return;
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols, Home: -cursor, End: order.length - 1 - cursor };
    if (e.key in moves) {
      cursor = Math.min(order.length - 1, Math.max(0, cursor + moves[e.key]!));
      status.textContent = describe(cursor);
      draw();
      e.preventDefault();
    } else if (e.key === 'Enter' || e.key === ' ') {
      open(fleet.devices.deviceId[order[cursor]!]!);
      e.preventDefault();
    }
  });
  window.addEventListener('resize', () => {
    layout();
    draw();
  });

  return {
    show(f, o, selected) {
      fleet = f;
      order = o;
      const at = selected === null ? -1 : o.findIndex((k) => f.devices.deviceId[k] === selected);
      cursor = at >= 0 ? at : Math.min(cursor, Math.max(0, o.length - 1));
      layout();
      draw();
    },
  };
}
