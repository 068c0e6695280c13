/** Every command-line case of the corpus, by area. */
import type { CliCase } from '../case.js';
import { bundleCases } from './bundle.js';
import { cliCases } from './cli.js';
import { kerasFileCases } from './keras_files.js';
import { layerInputCases } from './layer_inputs.js';
import { modelJsonCases } from './model_json.js';
import { npyCases } from './npy.js';
import { weightCases } from './weights.js';

export const CLI_CASES: readonly CliCase[] = [...modelJsonCases, ...weightCases, ...kerasFileCases, ...layerInputCases, ...npyCases, ...bundleCases, ...cliCases];
