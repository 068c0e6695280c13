/**
 * The plain-SIMD twin of a relaxed-SIMD module, without compiling the model
 * twice: the module is generated and optimized once with GEMM inner products
 * as `f32x4.relaxed_madd`, and the plain variant is that optimized module with
 * each relaxed_madd(a, b, c) rewritten to the exact f32x4.add(f32x4.mul(a, b), c)
 * (same operand order, so the same evaluation order). Only the functions that
 * hold a relaxed_madd change; every other function, the layout and the
 * weights stay byte for byte what they were.
 *
 * binaryen.js reads and writes expression children through one helper class
 * per expression kind (`binaryen.Binary.getLeft`, `binaryen.Block.setChildAt`,
 * ...), which its typings do not declare; ChildSlot below is the typed view
 * of the few this file uses. A kind the table does not know stops the rewrite
 * with an error rather than skipping a subtree that might hold a relaxed_madd.
 */
import { binaryen, type Expr, type Module } from './binaryen.js';

/** A binaryen.js helper class (`binaryen.Binary`, `binaryen.Function`, ...): static accessors on a reference. */
type ExpressionClass = Record<string, ((ref: number, ...rest: number[]) => number) | undefined>;

/** One child slot of an expression kind: read it, replace it. */
interface ChildSlot {
  get(expr: Expr): Expr;
  set(expr: Expr, child: Expr): void;
}

function helperClass(kind: string): ExpressionClass {
  const cls = (binaryen as unknown as Record<string, ExpressionClass | undefined>)[kind];
  if (!cls) throw new Error(`binaryen has no expression class '${kind}'`);
  return cls;
}

/** The slots `get<Field>` / `set<Field>` of expression class `kind`. */
function fieldSlots(kind: string, fields: readonly string[]): ChildSlot[] {
  const cls = helperClass(kind);
  return fields.map((field) => {
    const get = cls[`get${field}`];
    const set = cls[`set${field}`];
    if (!get || !set) throw new Error(`binaryen.${kind} has no get${field} / set${field}`);
    return { get: (expr) => get(expr), set: (expr, child) => void set(expr, child) };
  });
}

/** The slots of a kind whose children are a list (`getNum<Items>`, `get<Item>At`, `set<Item>At`). */
function listSlots(kind: string, items: string, item: string): (expr: Expr) => ChildSlot[] {
  const cls = helperClass(kind);
  const count = cls[`getNum${items}`];
  const get = cls[`get${item}At`];
  const set = cls[`set${item}At`];
  if (!count || !get || !set) throw new Error(`binaryen.${kind} has no getNum${items} / get${item}At / set${item}At`);
  return (expr) =>
    Array.from({ length: count(expr) }, (_, i) => ({ get: (e: Expr) => get(e, i), set: (e: Expr, child: Expr) => void set(e, i, child) }));
}

/** Every expression kind a tfc module holds, with its child slots (leaves have none). */
function childTable(): Map<number, (expr: Expr) => ChildSlot[]> {
  const table = new Map<number, (expr: Expr) => ChildSlot[]>();
  const fixed = (id: number, kind: string, fields: readonly string[]): void => {
    const slots = fieldSlots(kind, fields);
    table.set(id, () => slots);
  };
  for (const id of [binaryen.NopId, binaryen.UnreachableId, binaryen.ConstId, binaryen.LocalGetId, binaryen.GlobalGetId, binaryen.MemorySizeId]) {
    table.set(id, () => []);
  }
  table.set(binaryen.BlockId, listSlots('Block', 'Children', 'Child'));
  table.set(binaryen.CallId, listSlots('Call', 'Operands', 'Operand'));
  fixed(binaryen.IfId, 'If', ['Condition', 'IfTrue', 'IfFalse']);
  fixed(binaryen.LoopId, 'Loop', ['Body']);
  fixed(binaryen.BreakId, 'Break', ['Condition', 'Value']);
  fixed(binaryen.SwitchId, 'Switch', ['Condition', 'Value']);
  fixed(binaryen.LocalSetId, 'LocalSet', ['Value']);
  fixed(binaryen.GlobalSetId, 'GlobalSet', ['Value']);
  fixed(binaryen.LoadId, 'Load', ['Ptr']);
  fixed(binaryen.StoreId, 'Store', ['Ptr', 'Value']);
  fixed(binaryen.UnaryId, 'Unary', ['Value']);
  fixed(binaryen.BinaryId, 'Binary', ['Left', 'Right']);
  fixed(binaryen.SelectId, 'Select', ['IfTrue', 'IfFalse', 'Condition']);
  fixed(binaryen.DropId, 'Drop', ['Value']);
  fixed(binaryen.ReturnId, 'Return', ['Value']);
  fixed(binaryen.MemoryGrowId, 'MemoryGrow', ['Delta']);
  fixed(binaryen.SIMDExtractId, 'SIMDExtract', ['Vec']);
  fixed(binaryen.SIMDReplaceId, 'SIMDReplace', ['Vec', 'Value']);
  fixed(binaryen.SIMDShuffleId, 'SIMDShuffle', ['Left', 'Right']);
  fixed(binaryen.SIMDTernaryId, 'SIMDTernary', ['A', 'B', 'C']);
  fixed(binaryen.SIMDShiftId, 'SIMDShift', ['Vec', 'Shift']);
  fixed(binaryen.SIMDLoadId, 'SIMDLoad', ['Ptr']);
  fixed(binaryen.SIMDLoadStoreLaneId, 'SIMDLoadStoreLane', ['Ptr', 'Vec']);
  fixed(binaryen.MemoryCopyId, 'MemoryCopy', ['Dest', 'Source', 'Size']);
  fixed(binaryen.MemoryFillId, 'MemoryFill', ['Dest', 'Value', 'Size']);
  return table;
}

let children: Map<number, (expr: Expr) => ChildSlot[]> | undefined;

const simdTernary = helperClass('SIMDTernary');
const functionClass = helperClass('Function');

function isRelaxedMadd(expr: Expr): boolean {
  return binaryen.getExpressionId(expr) === binaryen.SIMDTernaryId && simdTernary.getOp?.(expr) === binaryen.RelaxedMaddVecF32x4;
}

class MaddLowering {
  lowered = 0;
  private readonly table = (children ??= childTable());

  constructor(private readonly module: Module) {}

  /** `expr` with every relaxed_madd below it rewritten; returns the expression that replaces it. */
  lower(expr: Expr): Expr {
    const id = binaryen.getExpressionId(expr);
    const slots = this.table.get(id);
    if (!slots) throw new Error(`relaxed-SIMD lowering: expression kind ${id} is not handled`);
    for (const slot of slots(expr)) {
      const child = slot.get(expr);
      if (child === 0) continue;
      const replaced = this.lower(child);
      if (replaced !== child) slot.set(expr, replaced);
    }
    if (!isRelaxedMadd(expr)) return expr;
    this.lowered++;
    const [a, b, c] = this.table.get(binaryen.SIMDTernaryId)!(expr).map((slot) => slot.get(expr));
    const f32x4 = this.module.f32x4;
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

/**
 * Rewrites `module` in place into its plain-SIMD twin (relaxed SIMD no longer
 * enabled) and returns the names of the functions that changed.
 */
export function lowerRelaxedMadd(module: Module): string[] {
  const changed: string[] = [];
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const func = module.getFunctionByIndex(i);
    const info = binaryen.getFunctionInfo(func);
    if (info.body === 0) continue;
    const lowering = new MaddLowering(module);
    const body = lowering.lower(info.body);
    if (body !== info.body) functionClass.setBody?.(func, body);
    if (lowering.lowered > 0) changed.push(info.name);
  }
  module.setFeatures(module.getFeatures() & ~binaryen.Features.RelaxedSIMD);
  if (!module.validate()) throw new Error('relaxed-SIMD lowering: the plain module failed validation');
  return changed;
}
