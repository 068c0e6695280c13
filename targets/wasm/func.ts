/**
 * Building one WASM function: its parameters are fixed up front, locals are
 * handed out on demand, and every value is read through a fresh `local.get`
 * (binaryen expressions are trees: one expression may not appear twice).
 */
import { binaryen, type Expr, type Module } from './binaryen.js';

export type Getter = () => Expr;

export class FunctionBuilder {
  private readonly localTypes: binaryen.Type[] = [];

  constructor(
    readonly module: Module,
    readonly name: string,
    private readonly params: binaryen.Type[],
  ) {}

  /** A fresh local of `type`; returns its index. */
  local(type: binaryen.Type): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }

  typeOf(index: number): binaryen.Type {
    return index < this.params.length ? this.params[index] : this.localTypes[index - this.params.length];
  }

  get(index: number): Expr {
    return this.module.local.get(index, this.typeOf(index));
  }

  getter(index: number): Getter {
    return () => this.get(index);
  }

  set(index: number, value: Expr): Expr {
    return this.module.local.set(index, value);
  }

  /** Adds the function with `body` to the module. */
  finish(body: Expr): void {
    this.module.addFunction(this.name, binaryen.createType(this.params), binaryen.none, this.localTypes, body);
  }
}
