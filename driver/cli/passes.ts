/** `tfc passes`: prints the optimization pipeline in order, with each pass's description and reason. */
import { PIPELINE } from '../../compiler/passes/pipeline.js';

export function passesCommand(): void {
  const width = Math.max(...PIPELINE.map((s) => s.pass.name.length));
  const lines = PIPELINE.map(
    (s, i) => `${String(i + 1).padStart(2)}. ${s.pass.name.padEnd(width)}  ${s.pass.description}\n${' '.repeat(width + 6)}why here: ${s.reason}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}
