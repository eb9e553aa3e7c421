// 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet (no I, O, Z, S, V); the last is
// a check character computed from the first 17 with weights 3^i mod 31.
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(first17[i]!);
    if (v < 0) throw new Error(`invalid character ${first17[i]}`);
    sum += v * WEIGHTS[i]!;
  }
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

/** A Chinese message saying what is wrong with the code, or undefined when it is valid. */
export function creditCodeProblem(code: string): string | undefined {
  if (code.length !== 18) return '统一社会信用代码应为 18 位。';
  const bad = [...code].find((ch) => !ALPHABET.includes(ch));
  if (bad) return `统一社会信用代码中不应出现“${bad}”（不使用 I、O、Z、S、V）。`;
  if (checkCharacter(code.slice(0, 17)) !== code[17]) return '统一社会信用代码校验位不正确，请核对。';
  return undefined;
}

/** A valid code for seeds and tests: 91 (enterprise) + 420802 (东宝区) + 9 characters from `n`. */
export function makeCreditCode(n: number): string {
  let body = '';
  let x = n;
  for (let i = 0; i < 9; i++) {
    body = ALPHABET[x % 31]! + body;
    x = Math.floor(x / 31);
  }
  const first17 = `91420802${body}`;
  return first17 + checkCharacter(first17);
}
