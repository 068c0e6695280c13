/**
 * The `tfc build --timings` table: every phase of the build with its self time
 * and share of the wall time, the time no phase covers, and the wall time,
 * on stderr.
 */
import type { PhaseTiming } from '../timings.js';

const MS_WIDTH = 9;
const SHARE_WIDTH = 7;

function row(label: string, ms: number, wall: number, labelWidth: number): string {
  const share = wall > 0 ? `${((100 * ms) / wall).toFixed(1)}%` : '';
  return `  ${label.padEnd(labelWidth)}${ms.toFixed(1).padStart(MS_WIDTH)}${share.padStart(SHARE_WIDTH)}\n`;
}

/** The table for `phases`, which ran within `wallMs` milliseconds. */
export function formatTimings(phases: readonly PhaseTiming[], wallMs: number): string {
  const covered = phases.reduce((sum, p) => sum + p.ms, 0);
  const rows: [string, number][] = [...phases.map((p): [string, number] => [p.phase, p.ms]), ['untimed', Math.max(0, wallMs - covered)]];
  const labelWidth = Math.max(...rows.map(([label]) => label.length), 'total (wall)'.length) + 2;
  const header = `tfc build timings (ms; each phase's own time, without the phases nested in it)\n`;
  return header + rows.map(([label, ms]) => row(label, ms, wallMs, labelWidth)).join('') + row('total (wall)', wallMs, wallMs, labelWidth);
}
