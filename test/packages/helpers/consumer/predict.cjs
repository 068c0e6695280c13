// A CommonJS consumer of the installed tfc-runtime: predicts every sample of
// samples.json with the bundle in ./model and prints the outputs as JSON.
const { readFileSync } = require('node:fs');
const { loadModel } = require('tfc-runtime');

const toArray = (t) => (t.dtype === 'int32' ? Int32Array.from(t.data) : Float32Array.from(t.data));

(async () => {
  const samples = JSON.parse(readFileSync('samples.json', 'utf8'));
  const model = await loadModel('model', { backend: 'wasm' });
  const results = [];
  for (const inputs of samples) {
    const outputs = await model.predict(inputs.map((t) => ({ data: toArray(t), shape: t.shape })));
    results.push(outputs.map((o) => ({ shape: [...o.shape], data: Array.from(o.data) })));
  }
  model.dispose();
  process.stdout.write(JSON.stringify(results));
})().catch((e) => {
  process.stderr.write(`${e.stack}\n`);
  process.exitCode = 1;
});
