import { describe, expect, it } from 'vitest';
import {
  byteCapacity,
  dataCodewords,
  encodeQr,
  formatBits,
  gfExp,
  gfLog,
  gfMul,
  maskApplies,
  penalty,
  qrSvgPath,
  qrToSvg,
  rsEncode,
  rsGenerator,
  versionBits,
  type QrCode,
} from './qr-code.js';

// Published values: ISO/IEC 18004 annexes A, C, D and I, and the widely reproduced "HELLO WORLD" 1-M
// worked example (thonky.com QR tutorial).

describe('GF(256) and Reed–Solomon', () => {
  it('uses the field of x^8 + x^4 + x^3 + x^2 + 1', () => {
    expect([0, 1, 2, 7, 8, 9, 25, 254].map(gfExp)).toEqual([1, 2, 4, 128, 29, 58, 3, 142]);
    expect(gfExp(255)).toBe(1);
    expect(gfLog(29)).toBe(8);
    expect(gfMul(gfExp(200), gfExp(100))).toBe(gfExp(45));
  });

  it('builds the generator polynomials of annex A (as powers of α)', () => {
    const asExponents = (degree: number) => rsGenerator(degree).map(gfLog);
    expect(asExponents(7)).toEqual([0, 87, 229, 146, 149, 238, 102, 21]);
    expect(asExponents(10)).toEqual([0, 251, 67, 46, 61, 118, 70, 64, 94, 32, 45]);
    expect(asExponents(16)).toEqual([0, 120, 104, 107, 109, 102, 161, 76, 3, 91, 191, 147, 169, 182, 194, 225, 120]);
    expect(asExponents(18)).toEqual([0, 215, 234, 158, 94, 184, 97, 118, 170, 79, 187, 152, 148, 252, 179, 5, 98, 96, 153]);
  });

  it('computes the error correction codewords of "HELLO WORLD" 1-M', () => {
    const data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17];
    expect(rsEncode(data, 10)).toEqual([196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
  });

  it('computes the error correction codewords of "01234567" 1-M (annex I)', () => {
    const data = [16, 32, 12, 86, 97, 128, 236, 17, 236, 17, 236, 17, 236, 17, 236, 17];
    expect(rsEncode(data, 10)).toEqual([165, 36, 212, 193, 237, 54, 199, 135, 44, 85]);
  });
});

describe('format and version information', () => {
  it('matches the format-information table (annex C) for level M', () => {
    const table = [
      '101010000010010',
      '101000100100101',
      '101111001111100',
      '101101101001011',
      '100010111111001',
      '100000011001110',
      '100111110010111',
      '100101010100000',
    ];
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((m) => formatBits(m).toString(2).padStart(15, '0'))).toEqual(table);
  });

  it('matches the version-information table (annex D)', () => {
    expect([7, 8, 9, 10].map(versionBits)).toEqual([0x07c94, 0x085bc, 0x09a99, 0x0a4d3]);
  });
});

describe('data codewords in byte mode', () => {
  it('adds mode, count, terminator and the 0xEC 0x11 padding', () => {
    // 0100 | 00000010 | 'A' 01000001 | 'B' 01000010 | 0000 → 0x40 0x24 0x14 0x20, then padding.
    expect(dataCodewords(new TextEncoder().encode('AB'), 1)).toEqual([
      0x40, 0x24, 0x14, 0x20, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11,
    ]);
  });

  it('knows the byte capacities of level M', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(byteCapacity)).toEqual([14, 26, 42, 62, 84, 106, 122, 152, 180, 213]);
  });
});

// An independent reader, written from the published layout rules: what a scanner does with the matrix.

const ALIGNMENT = [[], [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]];
/** [EC codewords per block, data codewords of each block] at level M. */
const BLOCKS: [number, number[]][] = [
  [0, []],
  [10, [16]],
  [16, [28]],
  [26, [44]],
  [18, [32, 32]],
  [24, [43, 43]],
  [16, [27, 27, 27, 27]],
  [18, [31, 31, 31, 31]],
  [22, [38, 38, 39, 39]],
  [22, [36, 36, 36, 37, 37]],
  [26, [43, 43, 43, 43, 44]],
];

function functionArea(version: number): boolean[][] {
  const n = 17 + 4 * version;
  const f = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
  const fill = (x0: number, y0: number, w: number, h: number) => {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) f[y]![x] = true;
  };
  fill(0, 0, 9, 9); // finder, separator and format info
  fill(n - 8, 0, 8, 9);
  fill(0, n - 8, 9, 8);
  // Alignment patterns everywhere but on the finders (those on the timing lines included).
  const pos = ALIGNMENT[version]!;
  for (const cy of pos) for (const cx of pos) if (!f[cy]![cx]) fill(cx - 2, cy - 2, 5, 5);
  fill(6, 0, 1, n); // timing
  fill(0, 6, n, 1);
  if (version >= 7) {
    fill(n - 11, 0, 3, 6);
    fill(0, n - 11, 6, 3);
  }
  return f;
}

/** Reads a symbol back to its text, checking every Reed–Solomon block on the way. */
function read(qr: QrCode): { text: string; mask: number } {
  const n = qr.size;
  const version = (n - 17) / 4;
  const m = qr.modules;
  // Format info, first copy: bits 14…9 along row 8, then (7,8), (8,8), (8,7), then up column 8.
  const coords: [number, number][] = [
    [0, 8],
    [1, 8],
    [2, 8],
    [3, 8],
    [4, 8],
    [5, 8],
    [7, 8],
    [8, 8],
    [8, 7],
    [8, 5],
    [8, 4],
    [8, 3],
    [8, 2],
    [8, 1],
    [8, 0],
  ];
  let format = 0;
  for (const [x, y] of coords) format = (format << 1) | (m[y]![x] ? 1 : 0);
  // Second copy: bits 14…8 down column 8 from row n−1 up, bits 7…0 along row 8 from column n−8.
  let copy = 0;
  for (let i = 0; i < 7; i++) copy = (copy << 1) | (m[n - 1 - i]![8] ? 1 : 0);
  for (let i = 0; i < 8; i++) copy = (copy << 1) | (m[8]![n - 8 + i] ? 1 : 0);
  expect(copy).toBe(format);
  const unmasked = format ^ 0x5412;
  expect(unmasked >>> 13).toBe(0b00); // level M
  const mask = (unmasked >>> 10) & 7;
  expect(format).toBe(formatBits(mask));

  const f = functionArea(version);
  const bits: number[] = [];
  for (let right = n - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let v = 0; v < n; v++) {
      const y = upward ? n - 1 - v : v;
      for (const x of [right, right - 1]) if (!f[y]![x]) bits.push((m[y]![x] ? 1 : 0) ^ (maskApplies(mask, x, y) ? 1 : 0));
    }
  }
  const codewords: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) codewords.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));

  const [ec, sizes] = BLOCKS[version]!;
  const blocks = sizes.map(() => [] as number[]);
  let k = 0;
  for (let i = 0; i < Math.max(...sizes); i++) sizes.forEach((s, b) => i < s && blocks[b]!.push(codewords[k++]!));
  for (let i = 0; i < ec; i++) sizes.forEach((_, b) => blocks[b]!.push(codewords[k++]!));
  const data: number[] = [];
  blocks.forEach((block, b) => {
    // A valid codeword is a multiple of the generator: it vanishes at α^0 … α^(ec−1).
    for (let i = 0; i < ec; i++) {
      const syndrome = block.reduce((acc, c) => gfMul(acc, gfExp(i)) ^ c, 0);
      expect(syndrome, `version ${version} block ${b} syndrome ${i}`).toBe(0);
    }
    data.push(...block.slice(0, sizes[b]));
  });

  const stream = data.flatMap((c) => [7, 6, 5, 4, 3, 2, 1, 0].map((i) => (c >>> i) & 1));
  const take = (len: number, at: number) => stream.slice(at, at + len).reduce((a, b) => (a << 1) | b, 0);
  expect(take(4, 0)).toBe(0b0100); // byte mode
  const countBits = version <= 9 ? 8 : 16;
  const count = take(countBits, 4);
  const bytes = Array.from({ length: count }, (_, i) => take(8, 4 + countBits + 8 * i));
  return { text: new TextDecoder().decode(new Uint8Array(bytes)), mask };
}

function expectFinder(qr: QrCode, x0: number, y0: number) {
  for (let dy = 0; dy < 7; dy++) {
    for (let dx = 0; dx < 7; dx++) {
      const ring = Math.max(Math.abs(dx - 3), Math.abs(dy - 3));
      expect(qr.modules[y0 + dy]![x0 + dx], `finder at ${x0},${y0}`).toBe(ring !== 2);
    }
  }
}

describe('encodeQr', () => {
  it('draws finders, separators, timing patterns, the dark module and both format copies', () => {
    const qr = encodeQr('https://oee.example.com/tablet?token=abc');
    expect(qr.version).toBe(3);
    expect(qr.size).toBe(29);
    expectFinder(qr, 0, 0);
    expectFinder(qr, qr.size - 7, 0);
    expectFinder(qr, 0, qr.size - 7);
    for (let i = 0; i < 8; i++) {
      expect(qr.modules[7]![i]).toBe(false); // separators
      expect(qr.modules[i]![7]).toBe(false);
      expect(qr.modules[7]![qr.size - 1 - i]).toBe(false);
      expect(qr.modules[qr.size - 8]![i]).toBe(false);
    }
    for (let i = 8; i < qr.size - 8; i++) {
      expect(qr.modules[6]![i]).toBe(i % 2 === 0);
      expect(qr.modules[i]![6]).toBe(i % 2 === 0);
    }
    expect(qr.modules[qr.size - 8]![8]).toBe(true);
    // The alignment pattern of version 3 at (22, 22).
    for (let dy = -2; dy <= 2; dy++)
      for (let dx = -2; dx <= 2; dx++) expect(qr.modules[22 + dy]![22 + dx]).toBe(Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
    expect(read(qr).mask).toBe(qr.mask);
  });

  it('round-trips through an independent reader for every version 1–10 and every mask', () => {
    for (let version = 1; version <= 10; version++) {
      const length = byteCapacity(version);
      const text = Array.from({ length }, (_, i) => String.fromCharCode(33 + ((i * 7 + version) % 90))).join('');
      const auto = encodeQr(text);
      expect(auto.version).toBe(version);
      expect(read(auto).text).toBe(text);
      for (let mask = 0; mask < 8; mask++) expect(read(encodeQr(text, { mask })).text).toBe(text);
    }
  });

  it('writes the version information from version 7', () => {
    const qr = encodeQr('x'.repeat(120));
    expect(qr.version).toBe(7);
    const n = qr.size;
    let topRight = 0;
    let bottomLeft = 0;
    for (let i = 17; i >= 0; i--) {
      topRight = (topRight << 1) | (qr.modules[Math.floor(i / 3)]![n - 11 + (i % 3)] ? 1 : 0);
      bottomLeft = (bottomLeft << 1) | (qr.modules[n - 11 + (i % 3)]![Math.floor(i / 3)] ? 1 : 0);
    }
    expect(topRight).toBe(0x07c94);
    expect(bottomLeft).toBe(0x07c94);
  });

  it('encodes text as UTF-8 and picks the mask with the lowest penalty', () => {
    const text = 'Größe 10 µm — ok';
    const qr = encodeQr(text);
    expect(read(qr).text).toBe(text);
    const scores = [0, 1, 2, 3, 4, 5, 6, 7].map((mask) => penalty(encodeQr(text, { mask }).modules));
    expect(penalty(qr.modules)).toBe(Math.min(...scores));
    expect(scores.indexOf(Math.min(...scores))).toBe(qr.mask);
  });

  it('fits a pairing URL of about 120 characters and refuses what does not fit version 10', () => {
    const url = `https://oee-monitor.factory.example.com:8443/tablet?token=${'t'.repeat(64)}`;
    expect(url.length).toBeGreaterThan(110);
    expect(read(encodeQr(url)).text).toBe(url);
    expect(() => encodeQr('x'.repeat(214))).toThrow(RangeError);
    expect(encodeQr('x'.repeat(213)).version).toBe(10);
  });

  it('scores the penalty rules N1–N4', () => {
    const all = (n: number, v: boolean) => Array.from({ length: n }, () => new Array<boolean>(n).fill(v));
    // 21×21 light: N1 = 42 runs × (3 + 16), N2 = 400 × 3, N3: each line holds 11 light in a row, no finder-like
    // pattern; N4: 50 % away → 10 × 10.
    expect(penalty(all(21, false))).toBe(42 * 19 + 400 * 3 + 100);
  });
});

describe('SVG', () => {
  it('draws each dark run as a rectangle inside the quiet zone', () => {
    const qr = encodeQr('A');
    const path = qrSvgPath(qr);
    expect(path.startsWith('M4 4h7v1h-7z')).toBe(true); // the top-left finder's top row
    const svg = qrToSvg(qr);
    expect(svg).toContain('viewBox="0 0 29 29"');
    expect(svg).toMatch(/^<svg [^>]*>.*<\/svg>$/);
  });
});
