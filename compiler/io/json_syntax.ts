/**
 * Where JSON text stops being JSON. JSON.parse's messages give an offset for
 * some errors and none for others ("Unexpected token 'o', "..." is not valid
 * JSON" quotes the text instead, newlines included), so after a failed parse
 * this scanner finds the offset itself. It follows RFC 8259 with an explicit
 * stack, so deeply nested input cannot overflow the call stack.
 */

const SPACE = /[ \t\n\r]*/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

/** The offset of the first character that makes `text` invalid JSON (text.length when it ends too early), or -1 when it is valid. */
export function jsonErrorOffset(text: string): number {
  let at = 0;
  const match = (re: RegExp): boolean => {
    re.lastIndex = at;
    if (!re.test(text)) return false;
    at = re.lastIndex;
    return true;
  };
  const space = (): void => void match(SPACE);
  /** A `"key" :` and the space after it. */
  const key = (): boolean => {
    space();
    if (!match(STRING)) return false;
    space();
    if (text[at] !== ':') return false;
    at++;
    space();
    return true;
  };
  const closing = (open: string): string => (open === '{' ? '}' : ']');
  const stack: string[] = [];
  space();
  for (;;) {
    // A value starts here.
    const c = text[at];
    if (c === '{' || c === '[') {
      at++;
      space();
      if (text[at] !== closing(c)) {
        stack.push(c);
        if (c === '{' && !key()) return at;
        continue;
      }
      at++;
    } else if (!match(STRING) && !match(NUMBER) && !match(LITERAL)) {
      return at;
    }
    // A value ended: close containers until one continues with a comma.
    for (;;) {
      space();
      const open = stack[stack.length - 1];
      if (open === undefined) return at < text.length ? at : -1;
      if (text[at] === ',') {
        at++;
        if (open === '{' && !key()) return at;
        space();
        break;
      }
      if (text[at] !== closing(open)) return at;
      at++;
      stack.pop();
    }
  }
}
