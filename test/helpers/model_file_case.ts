/** Runs a conformance case from a model file written in another format, through the importer and the interpreter. */
import { loadKerasFile } from '../../compiler/frontend/keras/index.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import { verifyGraph } from '../../compiler/ir/verifier.js';
import { loadSample, type ConformanceCase } from './conformance.js';
import { compareTensors } from './tolerance.js';

/** Every sample of the case through loadKerasFile + lowerModel + interpret; returns the failures. */
export async function modelFileCaseFailures(file: string, c: ConformanceCase): Promise<string[]> {
  const { graph } = lowerModel(await loadKerasFile(file));
  verifyGraph(graph);
  const failures: string[] = [];
  c.samples.forEach((sample, k) => {
    const { inputs, expected } = loadSample(sample);
    const got = interpret(graph, inputs);
    expected.forEach((want, j) => {
      const problem = compareTensors(got[j], want, c.tolerance);
      if (problem) failures.push(`sample ${k} output ${j}: ${problem}`);
    });
  });
  return failures;
}
