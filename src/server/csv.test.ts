import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.js';

describe('toCsv', () => {
  it('quotes fields holding commas, quotes or line breaks, and leaves others bare', () => {
    const csv = toCsv(
      ['a', 'b', 'c'],
      [
        { a: 1, b: 'plain', c: 'x,y' },
        { a: null, b: 'say "hi"', c: 'two\nlines' },
      ],
    );
    expect(csv).toBe('a,b,c\r\n1,plain,"x,y"\r\n,"say ""hi""","two\nlines"\r\n');
  });

  it('writes a header even without rows, and objects as JSON', () => {
    expect(toCsv(['x'], [])).toBe('x\r\n');
    expect(toCsv(['x'], [{ x: [1, 2] }])).toBe('x\r\n"[1,2]"\r\n');
  });
});
