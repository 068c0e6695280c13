// Loads the compiled classifier, classifies the digit pad's image and shows every class's probability.
import type { Model, TensorLike } from 'tfc-runtime';
import classifier from './classifier.model.ts?tfc';
import { DigitPad } from './digit_pad.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function showStatus(message: string, isError = false): void {
  $('status').textContent = message;
  $('status').className = isError ? 'error' : '';
}

/** The input's shape at batch size 1: [1, 28, 28, 1]. */
const inputShape = classifier.inputs[0].shape.map((d) => (d === 'N' ? 1 : d));

async function classify(model: Model, pixels: Float32Array): Promise<void> {
  // One tensor in, one tensor out.
  const output = (await model.predict({ data: pixels, shape: inputShape })) as TensorLike;
  const probabilities = Array.from(output.data);
  const top = probabilities.indexOf(Math.max(...probabilities));
  $('top-class').textContent = String(top);
  $('scores').replaceChildren(
    ...probabilities.map((p, digit) => {
      const item = document.createElement('li');
      item.className = digit === top ? 'top' : '';
      const bar = Object.assign(document.createElement('div'), { className: 'bar' });
      bar.style.width = `${p * 100}%`;
      item.append(`${digit}: ${p.toFixed(3)}`, bar);
      return item;
    }),
  );
  // The exact values, for scripts and tests reading the page.
  $('scores').dataset.probabilities = JSON.stringify(probabilities);
  $('result').hidden = false;
  showStatus('Draw a digit, or press Sample digit.');
}

async function main(): Promise<void> {
  const model = await classifier.loadModel();
  const about = model.summary();
  $('backend').textContent = `(${about.backend === 'webgpu' ? `WebGPU, ${about.adapter}` : `WebAssembly, ${about.wasmFile}`})`;
  const pad = new DigitPad($<HTMLCanvasElement>('digit'), () => run());
  function run(): void {
    classify(model, pad.pixels()).catch((e: Error) => showStatus(e.message, true));
  }
  $('sample').onclick = () => {
    pad.drawSample();
    run();
  };
  $('clear').onclick = () => {
    pad.clear();
    run();
  };
  pad.drawSample();
  run();
}

main().catch((e: Error) => showStatus(`Cannot load the model: ${e.message}`, true));
