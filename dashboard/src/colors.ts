/**
 * One colour per state, the same in the grid, the table's swatches and the charts'
 * shading. Chosen to keep ≥ 3:1 against the white page for graphics (WCAG 1.4.11),
 * except "normal" and "no data", which are meant to recede behind the alarms.
 */
export const STATE_COLORS: Record<string, string> = {
  normal: '#a8d5a2',
  line_line: '#c2410c',
  line_ground: '#7e22ce',
  open_circuit: '#1d4ed8',
  partial_shading: '#a16207',
  arc_fault: '#b91c1c',
  string_blocked: '#0f766e',
  none: '#d4d4d4',
};

/** The colour of a verdict (null: nothing predicted that day). */
export function stateColor(verdict: string | null): string {
  return STATE_COLORS[verdict ?? 'none'] ?? '#525252';
}

/** Human words for labels: the API's identifiers, spaced. */
export function labelText(label: string | null): string {
  return label === null ? 'no data' : label.replace(/_/g, ' ');
}
