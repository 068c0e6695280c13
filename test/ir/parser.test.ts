import { describe, expect, it } from 'vitest';
import { GraphBuilder, IRParseError, parseGraph, printGraph, verifyGraph } from '../../compiler/index.js';

/** Parses `text` and returns the IRParseError it must raise. */
function parseError(text: string): IRParseError {
  try {
    parseGraph(text);
  } catch (e) {
    if (e instanceof IRParseError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
}

function lines(...ls: string[]): string {
  return ls.join('\n') + '\n';
}

describe('IR parser errors report line:column', () => {
  it('an undefined value', () => {
    const e = parseError(lines('graph @g(%x: f32[N,3]) -> (y: f32[N,3]) {', '  %0 = neg(%z) : f32[N,3]', '  return %0', '}'));
    expect(e.message).toBe('2:12: %z is not defined');
    expect([e.line, e.column]).toEqual([2, 12]);
  });

  it('a value used in a body that is defined only outside it', () => {
    const e = parseError(
      lines(
        'graph @g(%x: f32[N,2,3], %h: f32[N,3]) -> (y: f32[N,3], z: f32[N,2,3]) {',
        '  %0, %1 = scan(%h, %x) {num_states=1, num_sequences=1, reverse=false} : f32[N,3], f32[N,2,3] {',
        '    graph @step(%s: f32[N,3], %t: f32[N,3]) -> (s: f32[N,3], y: f32[N,3]) {',
        '      return %s, %h',
        '    }',
        '  }',
        '  return %0, %1',
        '}',
      ),
    );
    expect(e.message).toBe('4:18: %h is not defined');
  });

  it('an unknown dtype', () => {
    const e = parseError(lines('graph @g(%x: f64[N,3]) -> (y: f32[N,3]) {', '  return %x', '}'));
    expect(e.message).toBe("1:14: expected a dtype (f32, i32, bool), found 'f64'");
  });

  it("a missing ')'", () => {
    const e = parseError(lines('graph @g(%x: f32[N,3]) -> (y: f32[N,3]) {', '  %0 = add(%x, %x : f32[N,3]', '  return %0', '}'));
    expect(e.message).toBe("2:19: expected ',' or ')', found ':'");
    const sig = parseError(lines('graph @g(%x: f32[N,3] -> (y: f32[N,3]) {', '  return %x', '}'));
    expect(sig.message).toBe("1:23: expected ',' or ')', found '->'");
  });

  it('a duplicate definition', () => {
    const e = parseError(
      lines('graph @g(%x: f32[N,3]) -> (y: f32[N,3]) {', '  %0 = neg(%x) : f32[N,3]', '  %0 = neg(%0) : f32[N,3]', '  return %0', '}'),
    );
    expect(e.message).toBe('3:3: %0 is defined twice');
    const input = parseError(lines('graph @g(%x: f32[N,3], %x: f32[N,3]) -> (y: f32[N,3]) {', '  return %x', '}'));
    expect(input.message).toBe('1:24: %x is defined twice');
  });

  it('other malformed text', () => {
    expect(parseError('graph @g(%x: f32[N,3]) -> (y: f32[N,3]) {\n  return %x\n').message).toBe(
      "3:1: expected '}', found end of input",
    );
    expect(parseError('graph @g(%x: f32[N,-3]) -> () {\n}\n').message).toBe("1:20: expected a size or N, found '-3'");
    expect(parseError('graph @g() -> () {\n  %0 = fill() {shape=[2], value=1, dtype="f32} : f32[2]\n  return\n}\n').message).toBe(
      '2:42: unterminated string',
    );
    expect(parseError('graph @g() -> () {\n  return\n}\n#\n').message).toBe("4:1: unexpected character '#'");
    expect(parseError('graph @g(%x: f32[2]) -> (y: f32[2], z: f32[2]) {\n  return %x\n}\n').message).toBe(
      "2:3: return lists 1 values but the signature has 2, found 'return'",
    );
    expect(
      parseError('graph @g() -> () {\n  return\n}\nweights {\n  "w": f32[3] = [1,2]\n}\n').message,
    ).toBe('5:3: weight "w" needs 3 values, found \'w\'');
  });
});

describe('IR parser normalizes attributes against the op schema', () => {
  const one = (line: string, results = 'y: f32[N,3]'): string => lines(`graph @g(%x: f32[N,3]) -> (${results}) {`, `  ${line}`, '  return %0', '}');

  it('fills defaults in and orders attributes as the schema does, as the builder would', () => {
    const g = parseGraph(one('%0 = pad(%x) {pads=[[0,0],[0,0]]} : f32[N,3]'));
    expect(g.nodes[0].attrs).toEqual({ pads: [[0, 0], [0, 0]], value: 0 });
    expect(Object.keys(parseGraph(one('%0 = slice(%x) {end=[0,0], begin=[0,0]} : f32[N,3]')).nodes[0].attrs)).toEqual(['begin', 'end']);
    const b = new GraphBuilder('g');
    b.output('y', b.op('pad', [b.input('x', { dtype: 'f32', shape: ['N', 3] })], { pads: [[0, 0], [0, 0]] }));
    expect(printGraph(g)).toBe(printGraph(b.graph));
    expect(() => verifyGraph(g)).not.toThrow();
  });

  it('reports unknown, missing and ill-typed attributes at the op', () => {
    expect(parseError(one('%0 = reverse(%x) {axes=[1], flip=true} : f32[N,3]')).message).toBe("2:8: reverse: unknown attribute 'flip'");
    expect(parseError(one('%0 = reverse(%x) : f32[N,3]')).message).toBe("2:8: reverse: missing attribute 'axes'");
    expect(parseError(one('%0 = transpose(%x) {perm="0,1"} : f32[N,3]')).message).toBe(
      '2:8: transpose: attribute \'perm\' must be a list of integers, got "0,1"',
    );
    expect(parseError(one('%0 = conv2d(%x, %x) {padding="full"} : f32[N,3]')).message).toBe(
      '2:8: conv2d: attribute \'padding\' must be one of "valid", "same", "explicit", got "full"',
    );
  });

  it('keeps an unknown op\'s attributes as written, for the verifier to name the op', () => {
    const g = parseGraph(one('%0 = frobnicate(%x) {b=1, a=2} : f32[N,3]'));
    expect(g.nodes[0].attrs).toEqual({ b: 1, a: 2 });
    expect(() => verifyGraph(g)).toThrow("graph @g, node 0: unknown op 'frobnicate'");
  });
});
