/**
 * What the Vite tests share: where examples/vite-app and the weights its
 * classifier loads live, a Vite logger that records the info lines
 * (vite-plugin-tfc says there whether it compiled a model or took it from its
 * cache), reading the page's prediction and the image it classified, and
 * TF.js's prediction for that image, the oracle (the classifier is the
 * conformance case mnist_cnn's architecture with its weights).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Page } from 'playwright-core';
import { createLogger, type Logger } from 'vite';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { repoRoot } from '../cli/tfc.js';

export const APP_DIR = path.join(repoRoot, 'examples/vite-app');
/** The TF.js model whose weights the example's classifier loads by layer name. */
export const WEIGHTS_DIR = path.join(repoRoot, 'test/conformance/keras/mnist_cnn');

/** A logger that keeps Vite's info lines (and prints only warnings and errors). */
export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const quiet = createLogger('warn');
  return { logger: { ...quiet, info: (message) => void lines.push(message) }, lines };
}

export interface ShownPrediction {
  /** The 28x28 image the page classified, as the model's input: red channel / 255, row by row. */
  pixels: number[];
  probabilities: number[];
  topClass: string;
}

/** The prediction the page shows (waiting for one, up to `timeout` ms) and the canvas image it was made from. */
export async function shownPrediction(page: Page, timeout = 30_000): Promise<ShownPrediction> {
  await page.waitForSelector('#scores[data-probabilities]', { state: 'attached', timeout });
  return page.evaluate(() => {
    const canvas = document.getElementById('digit') as HTMLCanvasElement;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, 28, 28);
    return {
      pixels: Array.from({ length: 28 * 28 }, (_, i) => data[4 * i] / 255),
      probabilities: JSON.parse(document.getElementById('scores')!.dataset.probabilities!) as number[],
      topClass: document.getElementById('top-class')!.textContent ?? '',
    };
  });
}

/** TF.js's output (cpu backend) for the TF.js model in `dir` (model.json + weights.bin) on one 28x28x1 image. */
export async function tfjsPrediction(dir: string, pixels: number[]): Promise<Tensor> {
  await tf.setBackend('cpu');
  const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  const bin = readFileSync(path.join(dir, 'weights.bin'));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }),
  );
  const x = tf.tensor(pixels, [1, 28, 28, 1], 'float32');
  const y = model.predict(x) as tf.Tensor;
  const result: Tensor = { dtype: 'f32', shape: y.shape, data: Float32Array.from(y.dataSync()) };
  tf.dispose([x, y]);
  model.dispose();
  return result;
}

/** The shown probabilities as a tensor of the model's output shape. */
export const shownTensor = (shown: ShownPrediction): Tensor => ({ dtype: 'f32', shape: [1, shown.probabilities.length], data: Float32Array.from(shown.probabilities) });

/** The index of the largest value. */
export const argmax = (t: Tensor): number => t.data.indexOf(Math.max(...t.data));
