/**
 * The `tfc` command line. Each command lives in a file of its own and is
 * imported only when it runs, so `tfc --help` starts without loading the
 * compiler.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { InterruptedError } from '../../compiler/io/interruptible.js';
import { reportError } from './errors.js';
import type { BuildOptions } from './build.js';
import { addPipelineOptions, type PipelineFlags } from './pipeline_options.js';

/** The package version, from the nearest package.json above this file (src or dist). */
function packageVersion(): string {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tfc-compiler' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: keep walking up
    }
    if (dir.pathname === '/') return 'unknown';
  }
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * A commander usage error (`error: unknown option '--x'`, possibly followed by
 * a `(Did you mean ...?)` line) as the one line every tfc error is, with the
 * hint where to find the usage.
 */
function usageErrorLine(text: string): string {
  const message = text.trim().split('\n').map((line) => line.trim()).filter((line) => line !== '').join(' ');
  return `tfc: ${message} (run tfc --help for usage)\n`;
}

const MODEL_HELP = `
<model> is a TypeScript/JavaScript model module (.ts, .mts, .js, .mjs) whose
default export (or the export named by --model) is a model built with tfc-compiler/dsl,
or a Keras model file: a TF.js layers model.json, a Keras 3 .keras archive or
a Keras 2 .h5 file.`;

function buildProgram(): Command {
  const program = new Command();
  program
    .name('tfc')
    .description('Ahead-of-time compiler for Keras-style neural networks')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--verbose', "print stack traces with errors, and Dawn's / the Vulkan drivers' diagnostics")
    .configureOutput({ outputError: (text, write) => write(usageErrorLine(text)) });

  const run = program
    .command('run')
    .description('run a model on .npy inputs with the reference interpreter and write its outputs as .npy')
    .argument('<model>', 'model file (.ts, .js, model.json, .keras, .h5)')
    .option('-i, --input <file>', 'an input .npy file; repeat once per model input, in the model\'s input order', collect)
    .option('-o, --output <file>', 'an output .npy file; repeat once per model output, in the model\'s output order', collect)
    .option('--model <name>', 'the export of a .ts/.js module that holds the model (default: the default export)')
    .addHelpText(
      'after',
      `${MODEL_HELP}

Inputs may have any batch size. A float32 model input accepts an int32 .npy
(converted); an int32 model input accepts a float32 .npy whose values are all
integers. A batch size of 0 is refused. Exactly one --output is needed per
model output; each must be a new or existing regular file in an existing
folder, none the same file as another output or an input. Outputs are all or
nothing: written only when the whole run succeeded, and on an error, SIGINT or
SIGTERM nothing new is left on disk (an interrupt exits 130 or 143).

Example:
  tfc run model.json --input x.npy --output y.npy`,
    )
    .action(async (model: string, options: { input?: string[]; output?: string[]; model?: string } & PipelineFlags) => {
      const { runCommand } = await import('./run.js');
      await runCommand(model, { ...options, input: options.input ?? [], output: options.output ?? [] });
    });
  addPipelineOptions(run);

  const build = program
    .command('build')
    .description('compile a model into a bundle folder: WebAssembly and/or WebGPU code, weights, manifest.json and a typed loader')
    .argument('<model>', 'model file (.ts, .js, model.json, .keras, .h5)')
    .requiredOption('--out <dir>', 'the bundle folder to write (an earlier tfc bundle there is replaced; anything else is refused)')
    .option('--target <targets>', 'comma-separated targets to build: wasm, webgpu, or wasm,webgpu for both in one bundle', 'wasm')
    .option('--model <name>', 'the export of a .ts/.js module that holds the model (default: the default export)')
    .option('--timings', "print on stderr where the build's time goes: each phase (loading, lowering, each pass, memory plan, each target's steps, writing) and the wall time")
    .addOption(
      new Option('--runtime <how>', 'how the generated loader imports the runtime: bundled (a copy inside the bundle) or package (the tfc-runtime package)')
        .choices(['bundled', 'package'])
        .default('bundled'),
    )
    .addHelpText(
      'after',
      `${MODEL_HELP}

Targets: wasm writes model.wasm (plus model.relaxed.wasm, its relaxed-SIMD
variant) and weights.bin; webgpu writes model.wgsl (every compute shader) and
weights.webgpu.bin. DIR may be missing, an empty folder or an earlier tfc
bundle (a folder holding only the files its manifest.json lists); anything
else (other files, subfolders, a file, a symbolic link, the current, home or
model folder) is refused, so nothing of yours is ever deleted. The bundle is
written to a temporary folder and renamed into place, so DIR is never
half-written: on an error, SIGINT or SIGTERM (exit 130 or 143) it is left as
it was. The same model gives byte-identical files. A model with an op a requested target cannot compile yet is refused
with an error naming the op, and nothing is written.

--runtime bundled (the default) makes the loader index.js import a copy of
the runtime kept in the bundle, so the folder runs as it is on any static web
host; --runtime package makes it import the tfc-runtime package, for an app
whose bundler shares the runtime. On a terminal, a stage that runs longer than
a second is shown on stderr with its elapsed time.

Examples:
  tfc build model.json --out bundle/
  tfc build model.json --target wasm,webgpu --out bundle/`,
    )
    .action(async (model: string, options: BuildOptions) => {
      // A refused --out fails before the compiler (binaryen, ts-morph) is even loaded.
      const { checkOut } = await import('../out_check.js');
      checkOut(model, options.out);
      const { buildCommand } = await import('./build.js');
      await buildCommand(model, options);
    });
  addPipelineOptions(build);

  program
    .command('predict')
    .description('run a bundle built by `tfc build` on .npy inputs with the runtime and write its outputs as .npy')
    .argument('<dir>', 'the bundle folder')
    .option('-i, --input <file>', 'an input .npy file; repeat once per model input, in the model\'s input order', collect)
    .option('-o, --output <file>', 'an output .npy file; repeat once per model output, in the model\'s output order', collect)
    .option('--backend <backend>', 'the runtime backend: auto (webgpu when the bundle has it and a GPU adapter exists, else wasm), wasm or webgpu', 'auto')
    .addHelpText(
      'after',
      `
Inputs and outputs follow the same conventions as \`tfc run\`: any batch size,
int32/float32 conversion where it loses nothing, batch size 0 refused, outputs
checked up front and written all or nothing. A damaged bundle is refused at
load.

WebGPU runs through Dawn (the npm package 'webgpu') on the system's Vulkan
driver, or on SwiftShader, the CPU Vulkan driver of Debian's 'chromium'
package, when there is no GPU (needs 'libvulkan1'). --backend webgpu fails
with the reason when no adapter is found; --backend auto then uses wasm.

Examples:
  tfc predict bundle/ --input x.npy --output y.npy
  tfc predict bundle/ --backend webgpu --input x.npy --output y.npy`,
    )
    .action(async (dir: string, options: { input?: string[]; output?: string[]; backend: string }, command: Command) => {
      const { predictCommand } = await import('./predict.js');
      const verbose = command.optsWithGlobals<{ verbose?: boolean }>().verbose === true;
      await predictCommand(dir, { ...options, input: options.input ?? [], output: options.output ?? [], verbose });
    });

  program
    .command('summary')
    .description('print the Keras summary table of a model (layers, output shapes, parameter counts)')
    .argument('<model>', 'model file (.ts, .js, model.json, .keras, .h5)')
    .option('--model <name>', 'the export of a .ts/.js module that holds the model (default: the default export)')
    .addHelpText('after', MODEL_HELP)
    .action(async (model: string, options: { model?: string }) => {
      const { summaryCommand } = await import('./summary.js');
      await summaryCommand(model, options);
    });

  const inspect = program
    .command('inspect')
    .description('show what the optimizing pipeline does: kernels, remaining ops, planned memory, weight bytes')
    .argument('<model>', 'model file (.ts, .js, model.json, .keras, .h5) or a bundle folder written by tfc build')
    .option('--json', 'print the report as JSON (keys nodes_before, kernels_after, ops_after, peak_bytes, naive_bytes, weight_bytes)')
    .option('--model <name>', 'the export of a .ts/.js module that holds the model (default: the default export)')
    .addHelpText('after', MODEL_HELP)
    .action(async (model: string, options: { json?: boolean; model?: string } & PipelineFlags) => {
      const { inspectCommand } = await import('./inspect.js');
      await inspectCommand(model, options);
    });
  addPipelineOptions(inspect);

  program
    .command('passes')
    .description('list the optimization pipeline: each pass, what it does and why it runs where it does')
    .action(async () => {
      const { passesCommand } = await import('./passes.js');
      passesCommand();
    });

  program
    .command('layers')
    .description('list the Keras layer classes and activations tfc supports')
    .action(async () => {
      const { layersCommand } = await import('./layers.js');
      layersCommand();
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    const verbose = program.opts<{ verbose?: boolean }>().verbose === true || argv.includes('--verbose');
    const code = reportError(e, verbose, (text) => process.stderr.write(text));
    // An interrupted write exits as the signal would have ended it (130 for SIGINT, 143 for SIGTERM).
    return e instanceof InterruptedError ? e.exitCode : code;
  }
}

process.exitCode = await main(process.argv);
