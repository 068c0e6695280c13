/**
 * The errors of the compile API (compile.ts) and how the compiler core's
 * user errors become them. Every problem a user can fix (a bad model file, a
 * bad layer option, a DSL shape error, an op a target cannot compile, a
 * limit, a refused output folder) leaves compile() / build() as one
 * CompileError whose message is the one line `tfc` prints and which says
 * where the problem is. Anything else is a bug in tfc and passes through as
 * it was thrown.
 */
import path from 'node:path';
import { ModelBuildError } from '../compiler/frontend/dsl/errors.js';
import { ModelFileError } from '../compiler/frontend/keras/errors.js';
import { ModelSourceError } from '../compiler/frontend/load.js';
import { InputMismatchError } from '../compiler/interpreter/interpreter.js';
import { InterruptedError } from '../compiler/io/interruptible.js';
import { NpyError } from '../compiler/io/npy.js';
import { IRError } from '../compiler/ir/errors.js';
import { LayerError } from '../compiler/layers/layer.js';
import { LimitError } from '../compiler/limits.js';
import { BundleWriteError } from './bundle/replaceable.js';

export interface CompileErrorLocation {
  /** Absolute path of the file the problem is in (the model, a weight file, a DSL module, the output folder). */
  file: string;
  /** 1-based line in `file`, where known (a DSL error at the user's layer call). */
  line?: number;
  /** 1-based column in `file`, where known. */
  column?: number;
}

/** A problem the user can fix, with where it is. */
export class CompileError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;

  constructor(message: string, where: CompileErrorLocation, options?: ErrorOptions) {
    super(oneLineMessage(message), options);
    this.name = 'CompileError';
    this.file = path.resolve(where.file);
    if (where.line !== undefined) this.line = where.line;
    if (where.column !== undefined) this.column = where.column;
  }
}

/** An option of the compile API (or a CLI flag) that names nothing valid, e.g. an unknown pass or target. */
export class OptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionError';
  }
}

/** Error classes of the compiler core whose message is meant for the user and says what to fix. */
const USER_ERRORS: readonly (abstract new (...args: never[]) => Error)[] = [
  CompileError,
  OptionError,
  ModelSourceError,
  ModelFileError,
  ModelBuildError,
  LayerError,
  IRError,
  InputMismatchError,
  NpyError,
  LimitError,
  BundleWriteError,
  InterruptedError,
];

export function isUserError(e: unknown): e is Error {
  return USER_ERRORS.some((cls) => e instanceof cls);
}

/** The longest message kept whole; longer ones (a hostile file's value quoted back) keep both ends. */
const MAX_MESSAGE_CHARS = 2000;

/** A message as one line of bounded length, whatever text it quotes. */
export function oneLineMessage(message: string): string {
  const line = message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  if (line.length <= MAX_MESSAGE_CHARS) return line;
  const keep = MAX_MESSAGE_CHARS / 2;
  return `${line.slice(0, keep)} … (${line.length - 2 * keep} characters cut) … ${line.slice(-keep)}`;
}

/** `file:line:column` as the DSL records the user's call site. */
const SOURCE_POSITION = /^(.+):(\d+):(\d+)$/;

/**
 * The first DSL call site found along the cause chain of `e`. Matched by
 * name, not class: the model module may have imported another copy of the DSL.
 */
function dslSource(e: unknown): CompileErrorLocation | undefined {
  for (let current = e; current instanceof Error; current = current.cause) {
    const source: unknown = (current as Partial<ModelBuildError>).source;
    if (current.name === 'ModelBuildError' && typeof source === 'string') {
      const m = SOURCE_POSITION.exec(source);
      if (m) return { file: m[1], line: Number(m[2]), column: Number(m[3]) };
    }
  }
  return undefined;
}

/** The most precise place the error names: a DSL call site, the model file the importer named, else `fallback`. */
function whereOf(e: Error, fallback: string): CompileErrorLocation {
  const dsl = dslSource(e);
  if (dsl) return dsl;
  for (let current: unknown = e; current instanceof Error; current = current.cause) {
    if (current instanceof ModelFileError) return { file: current.file };
  }
  return { file: fallback };
}

/**
 * A user error as a CompileError located at the most precise place known
 * (`fallback`, a path, otherwise), its message prefixed with `prefix` unless
 * it already names it. Other errors (bugs, an interrupt) pass through unchanged.
 */
export function toCompileError(e: unknown, fallback: string, prefix?: string): unknown {
  if (e instanceof CompileError || e instanceof InterruptedError || !isUserError(e)) return e;
  const message = prefix === undefined || e.message.includes(prefix) ? e.message : `${prefix}: ${e.message}`;
  return new CompileError(message, whereOf(e, fallback), { cause: e });
}
