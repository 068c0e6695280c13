/**
 * Reads the IR text form written by `printGraph` back into a graph. Types are
 * taken as written; run the verifier to check them against shape inference.
 * Attributes of a known op are normalized as the builder does (defaults filled
 * in, schema order, kinds checked), so text may leave defaults out; an unknown
 * op keeps its attributes as written for the verifier to report.
 */
import { normalizeAttrs, type AttrValue, type Attrs } from './attrs.js';
import { IRError, IRParseError } from './errors.js';
import { Graph, type Node, type Value } from './graph.js';
import { getOp, hasOp } from './op.js';
import { allocData, sizeOf, type Tensor } from './tensor.js';
import { formatType, isDType, sameType, type Dim, type TensorType } from './types.js';

type TokKind = 'ident' | 'number' | 'string' | 'value' | 'symbol' | 'punct' | 'eof';
interface Token {
  kind: TokKind;
  text: string;
  line: number;
  col: number;
}

function tokenize(src: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  let line = 1;
  let col = 1;
  const advance = (n: number): void => {
    for (let k = 0; k < n; k++) {
      if (src[i] === '\n') {
        line++;
        col = 1;
      } else col++;
      i++;
    }
  };
  const readString = (): string => {
    const m = /^"(?:[^"\\]|\\.)*"/.exec(src.slice(i));
    if (!m) throw new IRParseError('unterminated string', line, col);
    advance(m[0].length);
    return JSON.parse(m[0]) as string;
  };
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      advance(1);
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') advance(1);
      continue;
    }
    const start = { line, col };
    const rest = src.slice(i, i + 256);
    if (c === '%' || c === '@') {
      advance(1);
      let text: string;
      if (src[i] === '"') text = readString();
      else {
        const m = /^[A-Za-z0-9_.]+/.exec(src.slice(i, i + 256));
        if (!m) throw new IRParseError(`expected a name after '${c}'`, line, col);
        text = m[0];
        advance(text.length);
      }
      toks.push({ kind: c === '%' ? 'value' : 'symbol', text, ...start });
      continue;
    }
    if (c === '"') {
      toks.push({ kind: 'string', text: readString(), ...start });
      continue;
    }
    if (rest.startsWith('->')) {
      toks.push({ kind: 'punct', text: '->', ...start });
      advance(2);
      continue;
    }
    const num = /^-?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|inf\b)/.exec(rest);
    if (num) {
      toks.push({ kind: 'number', text: num[0], ...start });
      advance(num[0].length);
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest);
    if (id) {
      toks.push({ kind: 'ident', text: id[0], ...start });
      advance(id[0].length);
      continue;
    }
    if ('(){}[],:='.includes(c)) {
      toks.push({ kind: 'punct', text: c, ...start });
      advance(1);
      continue;
    }
    throw new IRParseError(`unexpected character '${c}'`, line, col);
  }
  toks.push({ kind: 'eof', text: '', line, col });
  return toks;
}

function parseNumber(text: string): number {
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return Number(text);
}

class Parser {
  private pos = 0;
  constructor(private toks: Token[]) {}

  private peek(): Token {
    return this.toks[this.pos];
  }
  private next(): Token {
    return this.toks[this.pos++];
  }
  private fail(msg: string, t: Token = this.peek()): never {
    throw new IRParseError(`${msg}, found ${t.kind === 'eof' ? 'end of input' : `'${t.text}'`}`, t.line, t.col);
  }
  private isPunct(p: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === p;
  }
  private expectPunct(p: string): void {
    if (!this.isPunct(p)) this.fail(`expected '${p}'`);
    this.pos++;
  }
  /** Between list items: a ',' unless the list closes here. */
  private separator(close: string): void {
    if (this.isPunct(close)) return;
    if (!this.isPunct(',')) this.fail(`expected ',' or '${close}'`);
    this.pos++;
  }
  private expectIdent(word?: string): string {
    const t = this.peek();
    if (t.kind !== 'ident' || (word !== undefined && t.text !== word)) this.fail(`expected ${word ? `'${word}'` : 'a name'}`);
    this.pos++;
    return t.text;
  }
  private name(): string {
    const t = this.next();
    if (t.kind === 'ident' || t.kind === 'string') return t.text;
    this.fail('expected a name', t);
  }

  type(): TensorType {
    const t = this.peek();
    const dtype = this.expectIdent();
    if (!isDType(dtype)) this.fail('expected a dtype (f32, i32, bool)', t);
    this.expectPunct('[');
    const shape: Dim[] = [];
    while (!this.isPunct(']')) {
      const d = this.next();
      if (d.kind === 'ident' && d.text === 'N') shape.push('N');
      else if (d.kind === 'number' && /^[0-9]+$/.test(d.text)) shape.push(Number(d.text));
      else this.fail('expected a size or N', d);
      this.separator(']');
    }
    this.pos++;
    return { dtype, shape };
  }

  attrValue(): AttrValue {
    const t = this.next();
    if (t.kind === 'number') return parseNumber(t.text);
    if (t.kind === 'string') return t.text;
    if (t.kind === 'ident') {
      if (t.text === 'true') return true;
      if (t.text === 'false') return false;
      if (t.text === 'N') return 'N';
      if (t.text === 'nan') return NaN;
      if (t.text === 'inf') return Infinity;
    }
    if (t.kind === 'punct' && t.text === '[') {
      const items: AttrValue[] = [];
      while (!this.isPunct(']')) {
        items.push(this.attrValue());
        this.separator(']');
      }
      this.pos++;
      return items;
    }
    this.fail('expected an attribute value', t);
  }

  graph(parent: Graph | undefined, scope: Map<string, Value>): Graph {
    this.expectIdent('graph');
    const sym = this.next();
    if (sym.kind !== 'symbol') this.fail("expected '@name'", sym);
    const g = parent ? parent.childGraph(sym.text) : new Graph(sym.text);
    this.expectPunct('(');
    while (!this.isPunct(')')) {
      const v = this.next();
      if (v.kind !== 'value') this.fail("expected '%name'", v);
      this.expectPunct(':');
      const type = this.type();
      const value = /^[0-9]+$/.test(v.text) ? g.newValue(type) : g.newValue(type, v.text);
      g.inputs.push(value);
      this.define(scope, v, value);
      this.separator(')');
    }
    this.pos++;
    this.expectPunct('->');
    this.expectPunct('(');
    const outNames: { name: string; type: TensorType }[] = [];
    while (!this.isPunct(')')) {
      const name = this.name();
      this.expectPunct(':');
      outNames.push({ name, type: this.type() });
      this.separator(')');
    }
    this.pos++;
    this.expectPunct('{');
    for (;;) {
      const t = this.peek();
      if (t.kind === 'ident' && t.text === 'return') {
        this.pos++;
        const rets: Value[] = [];
        if (outNames.length > 0) {
          for (;;) {
            rets.push(this.use(scope));
            if (!this.isPunct(',')) break;
            this.pos++;
          }
        }
        if (rets.length !== outNames.length) this.fail(`return lists ${rets.length} values but the signature has ${outNames.length}`, t);
        rets.forEach((v, i) => {
          if (!sameType(v.type, outNames[i].type)) {
            this.fail(`return value ${i} is ${formatType(v.type)} but the signature says ${formatType(outNames[i].type)}`, t);
          }
          g.addOutput(outNames[i].name, v);
        });
        this.expectPunct('}');
        return g;
      }
      g.nodes.push(this.node(g, scope));
    }
  }

  private define(scope: Map<string, Value>, t: Token, v: Value): void {
    if (scope.has(t.text)) throw new IRParseError(`%${t.text} is defined twice`, t.line, t.col);
    scope.set(t.text, v);
  }

  private use(scope: Map<string, Value>): Value {
    const t = this.next();
    if (t.kind !== 'value') this.fail("expected '%value'", t);
    const v = scope.get(t.text);
    if (!v) throw new IRParseError(`%${t.text} is not defined`, t.line, t.col);
    return v;
  }

  private node(g: Graph, scope: Map<string, Value>): Node {
    const defs: Token[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind !== 'value') this.fail("expected '%value' or 'return'", t);
      defs.push(t);
      if (!this.isPunct(',')) break;
      this.pos++;
    }
    this.expectPunct('=');
    const opTok = this.peek();
    const op = this.expectIdent();
    this.expectPunct('(');
    const inputs: Value[] = [];
    while (!this.isPunct(')')) {
      inputs.push(this.use(scope));
      this.separator(')');
    }
    this.pos++;
    const given: Attrs = {};
    if (this.isPunct('{')) {
      this.pos++;
      while (!this.isPunct('}')) {
        const key = this.expectIdent();
        if (key in given) this.fail(`attribute '${key}' is given twice`);
        this.expectPunct('=');
        given[key] = this.attrValue();
        this.separator('}');
      }
      this.pos++;
    }
    const attrs = this.normalize(op, given, opTok);
    this.expectPunct(':');
    const types: TensorType[] = [];
    for (;;) {
      types.push(this.type());
      if (!this.isPunct(',')) break;
      this.pos++;
    }
    if (types.length !== defs.length) this.fail(`${defs.length} results but ${types.length} types`);
    const node: Node = { op, inputs, outputs: types.map((ty) => g.newValue(ty)), attrs };
    if (this.isPunct('{')) {
      this.pos++;
      node.body = this.graph(g, new Map());
      this.expectPunct('}');
    }
    defs.forEach((d, i) => this.define(scope, d, node.outputs[i]));
    return node;
  }

  private normalize(op: string, given: Attrs, at: Token): Attrs {
    if (!hasOp(op)) return given;
    try {
      return normalizeAttrs(op, getOp(op).attrs, given);
    } catch (e) {
      if (e instanceof IRError) throw new IRParseError(e.message, at.line, at.col);
      throw e;
    }
  }

  weights(g: Graph): void {
    this.expectIdent('weights');
    this.expectPunct('{');
    while (!this.isPunct('}')) {
      const nameTok = this.next();
      if (nameTok.kind !== 'string') this.fail('expected a quoted weight name', nameTok);
      this.expectPunct(':');
      const type = this.type();
      this.expectPunct('=');
      const values = this.attrValue();
      const shape = type.shape as number[];
      if (!Array.isArray(values) || values.length !== sizeOf(shape)) {
        this.fail(`weight "${nameTok.text}" needs ${sizeOf(shape)} values`, nameTok);
      }
      const data = allocData(type.dtype, values.length);
      values.forEach((x, i) => (data[i] = x as number));
      const t: Tensor = { dtype: type.dtype, shape, data };
      g.weights.set(nameTok.text, t);
    }
    this.pos++;
  }

  module(): Graph {
    const g = this.graph(undefined, new Map());
    const t = this.peek();
    if (t.kind === 'ident' && t.text === 'weights') this.weights(g);
    if (this.peek().kind !== 'eof') this.fail('expected end of input');
    return g;
  }
}

/** Parses one graph (and an optional `weights { ... }` block). */
export function parseGraph(src: string): Graph {
  return new Parser(tokenize(src)).module();
}
