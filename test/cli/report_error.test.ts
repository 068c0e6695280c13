/**
 * What the user sees of an error is one line of bounded length, whatever the
 * message quotes (a hostile file's multi-line or 100 KB value), and an
 * internal error carries its hint on the same line.
 */
import { describe, expect, it } from 'vitest';
import { CliError, reportError } from '../../driver/cli/errors.js';

function printed(e: unknown, verbose = false): { code: number; text: string } {
  let text = '';
  const code = reportError(e, verbose, (t) => (text += t));
  return { code, text };
}

describe('reportError', () => {
  it('folds a message that quotes line breaks into one line', () => {
    const { code, text } = printed(new CliError("model.json: layer 'a\nb': bad option\r\n  'x'"));
    expect(code).toBe(1);
    expect(text).toBe("tfc: error: model.json: layer 'a b': bad option 'x'\n");
  });

  it('cuts a 100 KB message in the middle, keeping both ends', () => {
    const { text } = printed(new CliError(`start ${'v'.repeat(100_000)} end`));
    expect(text.split('\n')).toEqual([expect.any(String), '']);
    expect(text.length).toBeLessThan(2100);
    expect(text).toMatch(/^tfc: error: start v+ … \(\d+ characters cut\) … v+ end\n$/);
  });

  it('prints an internal error and its hint as one line', () => {
    const { text } = printed(new TypeError('x is undefined'));
    expect(text).toBe('tfc: error: internal error: x is undefined (this is a bug in tfc; run again with --verbose for the stack trace)\n');
  });

  it('adds the stack under --verbose', () => {
    const { text } = printed(new CliError('bad'), true);
    expect(text.startsWith('tfc: error: bad\nCliError: bad\n')).toBe(true);
  });
});
