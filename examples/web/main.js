// Loads the bundle built into ./model, fills its inputs (batch 1) and shows what the model predicts.

/** At most this many values of each output are drawn. */
const SHOWN = 64;

const $ = (id) => document.getElementById(id);

const formatSpec = (s) => `${s.name}: ${s.dtype}[${s.shape.join(',')}]`;
const batchOne = (spec) => spec.shape.map((d) => (d === 'N' ? 1 : d));
const count = (shape) => shape.reduce((n, d) => n * d, 1);

function randomValues(spec) {
  const n = count(batchOne(spec));
  return Array.from({ length: n }, () => (spec.dtype === 'i32' ? Math.floor(Math.random() * 10) : Math.round((Math.random() * 2 - 1) * 1000) / 1000));
}

function showStatus(message, isError = false) {
  $('status').textContent = message;
  $('status').className = isError ? 'error' : '';
}

function drawOutput(spec, output) {
  const values = Array.from(output.data.slice(0, SHOWN));
  const largest = Math.max(...values.map(Math.abs), 1e-30);
  const top = values.indexOf(Math.max(...values));
  const box = document.createElement('div');
  const title = document.createElement('p');
  title.className = 'mono';
  title.textContent = `${formatSpec(spec)} → shape [${output.shape.join(',')}]${output.data.length > SHOWN ? ` (first ${SHOWN} values)` : ''}`;
  box.append(title);
  values.forEach((v, i) => {
    const row = document.createElement('div');
    row.className = i === top && values.length > 1 ? 'row top' : 'row';
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.width = `${(Math.abs(v) / largest) * 100}%`;
    row.append(Object.assign(document.createElement('span'), { textContent: `[${i}]` }), Object.assign(document.createElement('span'), { textContent: v.toPrecision(5) }), bar);
    box.append(row);
  });
  return box;
}

async function predict(model, fields) {
  const inputs = model.inputs.map((spec, i) => {
    const texts = fields[i].value.split(',').map((t) => t.trim());
    const expected = count(batchOne(spec));
    if (texts.length !== expected) throw new Error(`input '${spec.name}' needs ${expected} numbers, got ${texts.length}`);
    const bad = texts.findIndex((t) => t === '' || !Number.isFinite(Number(t)));
    if (bad >= 0) throw new Error(`input '${spec.name}': value ${bad} ('${texts[bad]}') is not a number`);
    const values = texts.map(Number);
    const data = spec.dtype === 'i32' ? Int32Array.from(values) : Float32Array.from(values);
    return { data, shape: batchOne(spec) };
  });
  const start = performance.now();
  const outputs = await model.predict(inputs);
  const ms = performance.now() - start;
  $('timing').textContent = `(${ms.toFixed(2)} ms)`;
  $('output-list').replaceChildren(...model.outputs.map((spec, i) => drawOutput(spec, outputs[i])));
  $('outputs').hidden = false;
  showStatus('Ready: edit the inputs or press Random input.');
}

async function main() {
  // Imported here, not at the top, so a missing bundle is a message on the page rather than a page that never loads.
  const { loadModel } = await import('./model/index.js');
  const model = await loadModel();
  const info = model.summary();
  $('model-name').textContent = `Model '${info.name}'`;
  $('signature').textContent = `(${info.inputs.map(formatSpec).join(', ')}) -> (${info.outputs.map(formatSpec).join(', ')})`;
  $('sizes').textContent = `${info.kernels} kernels, ${info.codeBytes} bytes of WebAssembly, ${info.weightBytes} bytes of weights`;
  const fields = model.inputs.map((spec) => {
    const field = document.createElement('textarea');
    field.rows = 3;
    field.value = randomValues(spec).join(', ');
    const label = Object.assign(document.createElement('label'), { textContent: formatSpec(spec) });
    label.append(field);
    $('input-fields').append(label);
    return field;
  });
  const run = () => predict(model, fields).catch((e) => showStatus(e.message, true));
  $('randomize').onclick = () => {
    model.inputs.forEach((spec, i) => (fields[i].value = randomValues(spec).join(', ')));
    run();
  };
  $('predict').onclick = run;
  $('model').hidden = $('inputs').hidden = false;
  await run();
  document.body.dataset.state = 'ready';
}

main().catch((e) => {
  showStatus(`Could not load the bundle in ./model: ${e.message}\nBuild one with: npx tfc build <model> --target wasm --out examples/web/model`, true);
  document.body.dataset.state = 'failed';
});
