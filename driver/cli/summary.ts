/** `tfc summary`: prints Keras' summary table for a model file. */
import { loadModelSource } from '../../compiler/frontend/load.js';
import { summarizeModel } from '../../compiler/frontend/summary.js';
import { locate } from './errors.js';

export interface SummaryOptions {
  model?: string;
}

export async function summaryCommand(modelFile: string, options: SummaryOptions): Promise<void> {
  const spec = await loadModelSource(modelFile, { modelExport: options.model });
  let text: string;
  try {
    text = summarizeModel(spec);
  } catch (e) {
    throw locate(modelFile, e);
  }
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
