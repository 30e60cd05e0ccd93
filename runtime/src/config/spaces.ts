// The SDK reads a value with str.strip(" \t\n\r\f\v") and re.ASCII; JavaScript's trim()
// and \s also take Unicode spaces (NBSP, U+3000, a BOM), and Python's bare strip()
// takes \x1c-\x1f and \x85. Both sides read values with these six only, so a pasted
// "64\u00a0MB" is refused by the editor, the CLI and the SDK alike.
export const SPACES = ' \t\n\r\f\v';

/** A number and its unit ("64MB", " 1.5 GB "), with only those spaces around and between. */
export const NUMBER_AND_UNIT = /^[ \t\n\r\f\v]*(\d+(?:\.\d+)?)[ \t\n\r\f\v]*([A-Za-z]*)[ \t\n\r\f\v]*$/;
/** One number-and-unit part of a duration ("1m 30s"); a reader makes its own sticky copy. */
export const DURATION_PART = /(\d+(?:\.\d+)?)[ \t\n\r\f\v]*([A-Za-z]+)/;

/** `s` without the six ASCII spaces at either end. */
export function strip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && SPACES.includes(s[a]!)) a++;
  while (b > a && SPACES.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}
