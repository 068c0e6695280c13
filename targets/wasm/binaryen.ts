/**
 * The one place that imports binaryen. Everything in targets/wasm builds
 * modules through these re-exports and helpers, so the rest of the target
 * never touches binaryen's untyped low-level C API directly.
 */
import binaryen from 'binaryen';

export { binaryen };
export type Module = binaryen.Module;
export type Expr = binaryen.ExpressionRef;

/** The WebAssembly features a tfc module may use. */
export interface WasmFeatures {
  /** Use relaxed SIMD (f32x4.relaxed_madd). Needs an engine that has it. */
  relaxedSimd: boolean;
}

/** binaryen's low-level entry point for three-operand SIMD ops; the typed API has no relaxed madd. */
interface LowLevelSimd {
  _BinaryenSIMDTernary(module: number, op: number, a: Expr, b: Expr, c: Expr): Expr;
}

/** A fresh module with SIMD128 (and relaxed SIMD when asked) enabled. */
export function createModule(features: WasmFeatures): Module {
  const module = new binaryen.Module();
  let flags = binaryen.Features.MVP | binaryen.Features.SIMD128 | binaryen.Features.BulkMemory;
  flags |= binaryen.Features.MutableGlobals | binaryen.Features.SignExt | binaryen.Features.NontrappingFPToInt;
  if (features.relaxedSimd) flags |= binaryen.Features.RelaxedSIMD;
  module.setFeatures(flags);
  return module;
}

/**
 * a * b + c on f32x4. With relaxed SIMD this is `f32x4.relaxed_madd` (a fused
 * multiply-add where the CPU has one, so rounding may differ from mul+add in the
 * last bit); otherwise it is the exact `f32x4.add(f32x4.mul(a, b), c)`.
 */
export function f32x4MulAdd(module: Module, relaxed: boolean, a: Expr, b: Expr, c: Expr): Expr {
  if (!relaxed) return module.f32x4.add(module.f32x4.mul(a, b), c);
  const lowLevel = binaryen as unknown as LowLevelSimd;
  return lowLevel._BinaryenSIMDTernary(module.ptr, binaryen.RelaxedMaddVecF32x4, a, b, c);
}

/**
 * Runs binaryen's optimizer at -O3 (speed, no shrinking) and validates the
 * result. Kernels are not inlined into their caller: each is called once from
 * `run`, and inlining them all gives one huge function that V8's optimizing
 * tier compiles to much slower code than the separate kernels (measured on
 * MobileNetV2, bench/RESULTS.md).
 */
export function optimizeModule(module: Module): void {
  binaryen.setOptimizeLevel(3);
  binaryen.setShrinkLevel(0);
  binaryen.setOneCallerInlineMaxSize(0);
  binaryen.setFlexibleInlineMaxSize(0);
  module.optimize();
  if (!module.validate()) throw new Error('binaryen: module failed validation after optimization');
}

/** The module's binary, in a buffer the WebAssembly API's typings accept. */
export function emitBytes(module: Module): Uint8Array<ArrayBuffer> {
  return new Uint8Array(module.emitBinary());
}

let relaxedSimdSupport: boolean | undefined;

/** Whether this engine can compile relaxed SIMD, probed once with a tiny module using relaxed_madd. */
export function engineHasRelaxedSimd(): boolean {
  if (relaxedSimdSupport !== undefined) return relaxedSimdSupport;
  const module = createModule({ relaxedSimd: true });
  const zero = (): Expr => module.v128.const([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  module.addFunction('probe', binaryen.none, binaryen.v128, [], f32x4MulAdd(module, true, zero(), zero(), zero()));
  module.addFunctionExport('probe', 'probe');
  const bytes = emitBytes(module);
  module.dispose();
  relaxedSimdSupport = WebAssembly.validate(bytes);
  return relaxedSimdSupport;
}
