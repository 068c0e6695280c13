import { describe, expect, it } from 'vitest';
import { GraphBuilder, parseGraph, verifyGraph, VerifyError, type Attrs, type Graph, type Shape, type TensorType } from '../../compiler/index.js';

const t32 = (...shape: Shape): TensorType => ({ dtype: 'f32', shape });

/** Verifies `g` and returns the VerifyError it must raise. */
function verifyError(g: Graph): VerifyError {
  try {
    verifyGraph(g);
  } catch (e) {
    if (e instanceof VerifyError) return e;
    throw e;
  }
  throw new Error('expected a verification error');
}

/** A graph `@g(%x: f32[N,3])` whose body lines are `body`, returning `ret`. */
function graphText(body: string[], ret = '%0', results = 'y: f32[N,3]'): Graph {
  return parseGraph([`graph @g(%x: f32[N,3]) -> (${results}) {`, ...body.map((l) => `  ${l}`), `  return ${ret}`, '}', ''].join('\n'));
}

describe('verifier', () => {
  it('accepts a well-formed graph', () => {
    expect(() => verifyGraph(graphText(['%0 = neg(%x) : f32[N,3]']))).not.toThrow();
  });

  it('rejects a use before definition', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', t32('N', 3));
    const y = b.op('neg', [x]);
    b.output('y', b.op('neg', [y]));
    b.graph.nodes.reverse();
    expect(verifyError(b.graph).message).toBe('graph @g, node 0: neg uses a value that is not defined before it');
  });

  it('rejects a declared result type that inference does not give', () => {
    const e = verifyError(graphText(['%0 = transpose(%x) {perm=[0,1]} : f32[3,N]'], '%0', 'y: f32[3,N]'));
    expect(e.message).toBe('graph @g, node 0: transpose result 0 is declared f32[3,N] but inference gives f32[N,3]');
    expect(e.nodeIndex).toBe(0);
  });

  it('rejects a wrong operand count', () => {
    expect(verifyError(graphText(['%0 = neg(%x, %x) : f32[N,3]'])).message).toBe('graph @g, node 0: neg expects 1 operand(s), has 2');
    expect(verifyError(graphText(['%0 = concat() {axis=0} : f32[N,3]'])).message).toBe(
      'graph @g, node 0: concat expects at least 1 operand(s), has 0',
    );
  });

  it('rejects an unknown op', () => {
    const e = verifyError(graphText(['%0 = neg(%x) : f32[N,3]', '%1 = frobnicate(%0) : f32[N,3]'], '%1'));
    expect(e.message).toBe("graph @g, node 1: unknown op 'frobnicate'");
  });

  /** `graphText(body)` with node 0's attributes replaced (the parser would normalize them). */
  const withAttrs = (body: string[], attrs: Attrs, ret = '%0', results = 'y: f32[N,3]'): Graph => {
    const g = graphText(body, ret, results);
    g.nodes[0].attrs = attrs;
    return g;
  };

  it('rejects unknown and missing attributes', () => {
    expect(verifyError(withAttrs(['%0 = reverse(%x) {axes=[1]} : f32[N,3]'], { axes: [1], flip: true })).message).toBe(
      "graph @g, node 0: reverse: unknown attribute 'flip'",
    );
    expect(verifyError(withAttrs(['%0 = reverse(%x) {axes=[1]} : f32[N,3]'], {})).message).toBe(
      "graph @g, node 0: reverse: missing attribute 'axes'",
    );
  });

  it('rejects attributes out of schema order or with defaults left out', () => {
    expect(verifyError(withAttrs(['%0 = slice(%x) {begin=[0,0], end=[0,0]} : f32[N,3]'], { end: [0, 0], begin: [0, 0] })).message).toBe(
      'graph @g, node 0: slice attributes are not complete or not in schema order',
    );
    expect(verifyError(withAttrs(['%0 = pad(%x) {pads=[[0,0],[0,0]]} : f32[N,3]'], { pads: [[0, 0], [0, 0]] })).message).toBe(
      'graph @g, node 0: pad attributes are not complete or not in schema order',
    );
  });

  it('rejects an attribute of the wrong kind and values inference refuses', () => {
    expect(verifyError(withAttrs(['%0 = transpose(%x) {perm=[0,1]} : f32[N,3]'], { perm: '0,1' })).message).toBe(
      'graph @g, node 0: transpose: attribute \'perm\' must be a list of integers, got "0,1"',
    );
    expect(verifyError(graphText(['%0 = reshape(%x) {shape=[-1]} : f32[N]'], '%0', 'y: f32[N]')).message).toMatch(
      /^graph @g, node 0: cannot reshape \[N,3\] to \[-1\]: .*merging the batch N/,
    );
  });

  it('rejects duplicate output names and undefined outputs', () => {
    expect(verifyError(graphText(['%0 = neg(%x) : f32[N,3]'], '%0, %x', 'y: f32[N,3], y: f32[N,3]')).message).toBe(
      "graph @g: output name 'y' is used twice",
    );
    const b = new GraphBuilder('g');
    const x = b.input('x', t32(2));
    b.output('y', b.graph.newValue(x.type));
    expect(verifyError(b.graph).message).toBe("graph @g: output 'y' is not defined in the graph");
  });

  it('rejects a value defined twice', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', t32(2));
    const y = b.op('neg', [x]);
    b.graph.nodes.push({ ...b.graph.nodes[0], inputs: [y] });
    b.output('y', y);
    expect(verifyError(b.graph).message).toBe('graph @g, node 1: neg redefines a value');
  });

  const scanText = (stepInputs: string, stepResults: string, ret: string): Graph =>
    parseGraph(
      [
        'graph @g(%x: f32[N,5,3], %h: f32[N,4]) -> (last: f32[N,4], all: f32[N,5,4]) {',
        '  %0, %1 = scan(%h, %x) {num_states=1, num_sequences=1, reverse=false} : f32[N,4], f32[N,5,4] {',
        `    graph @step(${stepInputs}) -> (${stepResults}) {`,
        `      return ${ret}`,
        '    }',
        '  }',
        '  return %0, %1',
        '}',
        '',
      ].join('\n'),
    );

  it('accepts a scan whose body matches its operands', () => {
    expect(() => verifyGraph(scanText('%s: f32[N,4], %t: f32[N,3]', 's: f32[N,4], y: f32[N,4]', '%s, %s'))).not.toThrow();
  });

  it('rejects a scan whose body types do not match', () => {
    expect(verifyError(scanText('%s: f32[N,4], %t: f32[N,5,3]', 's: f32[N,4], y: f32[N,4]', '%s, %s')).message).toBe(
      'graph @g, node 0: body input 1 (sequence 0 slice) is f32[N,5,3] but scan passes f32[N,3]',
    );
    expect(verifyError(scanText('%s: f32[N,4], %t: f32[N,3]', 's: f32[N,3], y: f32[N,4]', '%t, %s')).message).toBe(
      'graph @g, node 0: body result 0 (new state 0) is f32[N,3] but state 0 is f32[N,4]; a state must keep its type from step to step',
    );
    expect(verifyError(scanText('%s: f32[N,4], %t: f32[N,3]', 's: f32[N,4], y: f32[N,3]', '%s, %t')).message).toBe(
      'graph @g, node 0: scan result 1 is declared f32[N,5,4] but inference gives f32[N,5,3]',
    );
  });

  it('reports errors inside a body with the body graph name', () => {
    expect(verifyError(scanText('%s: f32[N,4], %t: f32[N,3]', 's: f32[N,4], s: f32[N,4]', '%s, %s')).message).toBe(
      "graph @step: output name 's' is used twice",
    );
  });
});
