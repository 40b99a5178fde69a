/**
 * A small QR code encoder (ISO/IEC 18004): byte mode, error correction level M, versions 1–10
 * (up to 213 bytes, enough for a pairing URL with its token). Pure TypeScript without dependencies, so
 * the browser can draw the tablet and wall-screen pairing codes without a QR package.
 *
 * Steps: UTF-8 bytes → bit stream (mode, count, data, terminator, pad codewords) → split into blocks,
 * Reed–Solomon error correction per block, interleave → place function patterns and the data in the
 * zigzag order → try the 8 masks and keep the one with the lowest penalty → format (and version) info.
 */

export interface QrCode {
  version: number;
  /** Modules per side: 17 + 4 × version. */
  size: number;
  /** The mask pattern that was applied (0–7). */
  mask: number;
  /** `modules[y][x]`, true = dark; y is the row, x the column, (0, 0) the top-left module. */
  modules: boolean[][];
}

export const QR_MAX_VERSION = 10;

/**
 * Error correction level M, per version (index = version): EC codewords per block and the blocks as
 * [count, data codewords per block] groups (ISO/IEC 18004 table 9).
 */
const EC_M: readonly { ecPerBlock: number; groups: readonly (readonly [number, number])[] }[] = [
  { ecPerBlock: 0, groups: [] },
  { ecPerBlock: 10, groups: [[1, 16]] },
  { ecPerBlock: 16, groups: [[1, 28]] },
  { ecPerBlock: 26, groups: [[1, 44]] },
  { ecPerBlock: 18, groups: [[2, 32]] },
  { ecPerBlock: 24, groups: [[2, 43]] },
  { ecPerBlock: 16, groups: [[4, 27]] },
  { ecPerBlock: 18, groups: [[4, 31]] },
  {
    ecPerBlock: 22,
    groups: [
      [2, 38],
      [2, 39],
    ],
  },
  {
    ecPerBlock: 22,
    groups: [
      [3, 36],
      [2, 37],
    ],
  },
  {
    ecPerBlock: 26,
    groups: [
      [4, 43],
      [1, 44],
    ],
  },
];

/** Centre coordinates of the alignment patterns, per version (table E.1). */
const ALIGNMENT: readonly (readonly number[])[] = [
  [],
  [],
  [6, 18],
  [6, 22],
  [6, 26],
  [6, 30],
  [6, 34],
  [6, 22, 38],
  [6, 24, 42],
  [6, 26, 46],
  [6, 28, 50],
];

/** Format-info bits of the error correction levels: L = 01, M = 00, Q = 11, H = 10. */
const EC_LEVEL_M_BITS = 0b00;

// Arithmetic in GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D), generator α = 2.

const GF_EXP = new Uint8Array(512);
const GF_LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    GF_EXP[i] = x;
    GF_LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  // Doubled so exp[log a + log b] needs no modulo.
  for (let i = 255; i < 512; i++) GF_EXP[i] = GF_EXP[i - 255]!;
}

/** α^i in GF(256). */
export function gfExp(i: number): number {
  return GF_EXP[((i % 255) + 255) % 255]!;
}

/** log_α(x) in GF(256), x ≠ 0. */
export function gfLog(x: number): number {
  if (x < 1 || x > 255) throw new RangeError(`log of ${x} is undefined in GF(256)`);
  return GF_LOG[x]!;
}

export function gfMul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : GF_EXP[GF_LOG[a]! + GF_LOG[b]!]!;
}

/**
 * The Reed–Solomon generator polynomial (x − α^0)(x − α^1)…(x − α^(degree−1)), coefficients from the
 * highest power down; the leading coefficient (always 1) is included.
 */
export function rsGenerator(degree: number): number[] {
  let poly = [1];
  for (let i = 0; i < degree; i++) {
    const next = new Array<number>(poly.length + 1).fill(0);
    const root = gfExp(i);
    for (let j = 0; j < poly.length; j++) {
      next[j] = next[j]! ^ poly[j]!;
      next[j + 1] = next[j + 1]! ^ gfMul(poly[j]!, root);
    }
    poly = next;
  }
  return poly;
}

/** The `degree` error correction codewords of `data`: the remainder of data(x)·x^degree ÷ generator. */
export function rsEncode(data: readonly number[], degree: number): number[] {
  const generator = rsGenerator(degree);
  const remainder = new Array<number>(degree).fill(0);
  for (const byte of data) {
    const factor = byte ^ remainder.shift()!;
    remainder.push(0);
    for (let i = 0; i < degree; i++) remainder[i] = remainder[i]! ^ gfMul(generator[i + 1]!, factor);
  }
  return remainder;
}

/** The 15 format bits for level M and `mask`: BCH(15,5) with generator 0x537, XOR 0x5412. */
export function formatBits(mask: number): number {
  const data = (EC_LEVEL_M_BITS << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  return ((data << 10) | (rem & 0x3ff)) ^ 0x5412;
}

/** The 18 version bits (versions 7 and up): BCH(18,6) with generator 0x1F25. */
export function versionBits(version: number): number {
  let rem = version;
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
  return (version << 12) | (rem & 0xfff);
}

export function dataCodewordCount(version: number): number {
  return EC_M[version]!.groups.reduce((n, [count, size]) => n + count * size, 0);
}

/** Bytes that fit in a version at level M in byte mode. */
export function byteCapacity(version: number): number {
  const countBits = version <= 9 ? 8 : 16;
  return Math.floor((dataCodewordCount(version) * 8 - 4 - countBits) / 8);
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** The data codewords: mode 0100, count, bytes, terminator, padding to a byte, then 0xEC 0x11 … */
export function dataCodewords(bytes: Uint8Array, version: number): number[] {
  const capacityBits = dataCodewordCount(version) * 8;
  const bits: number[] = [];
  const put = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(bytes.length, version <= 9 ? 8 : 16);
  for (const b of bytes) put(b, 8);
  if (bits.length > capacityBits) throw new RangeError('data does not fit the version');
  put(0, Math.min(4, capacityBits - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  const codewords: number[] = [];
  for (let i = 0; i < bits.length; i += 8) {
    let byte = 0;
    for (let j = 0; j < 8; j++) byte = (byte << 1) | bits[i + j]!;
    codewords.push(byte);
  }
  for (let pad = 0xec; codewords.length < capacityBits / 8; pad ^= 0xec ^ 0x11) codewords.push(pad);
  return codewords;
}

/** Data codewords → blocks with their EC codewords → the interleaved final sequence. */
export function interleave(data: readonly number[], version: number): number[] {
  const { ecPerBlock, groups } = EC_M[version]!;
  const blocks: { data: number[]; ec: number[] }[] = [];
  let offset = 0;
  for (const [count, size] of groups) {
    for (let b = 0; b < count; b++) {
      const chunk = data.slice(offset, offset + size);
      offset += size;
      blocks.push({ data: chunk, ec: rsEncode(chunk, ecPerBlock) });
    }
  }
  const out: number[] = [];
  const longest = Math.max(...blocks.map((b) => b.data.length));
  for (let i = 0; i < longest; i++) for (const b of blocks) if (i < b.data.length) out.push(b.data[i]!);
  for (let i = 0; i < ecPerBlock; i++) for (const b of blocks) out.push(b.ec[i]!);
  return out;
}

class Grid {
  readonly modules: boolean[][];
  readonly isFunction: boolean[][];

  constructor(readonly size: number) {
    this.modules = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
    this.isFunction = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  }

  setFunction(x: number, y: number, dark: boolean): void {
    this.modules[y]![x] = dark;
    this.isFunction[y]![x] = true;
  }
}

/** A finder pattern (7×7) centred on (cx, cy) with its light separator, clipped to the symbol. */
function drawFinder(grid: Grid, cx: number, cy: number): void {
  for (let dy = -4; dy <= 4; dy++) {
    for (let dx = -4; dx <= 4; dx++) {
      const x = cx + dx;
      const y = cy + dy;
      if (x < 0 || y < 0 || x >= grid.size || y >= grid.size) continue;
      const ring = Math.max(Math.abs(dx), Math.abs(dy));
      grid.setFunction(x, y, ring !== 2 && ring !== 4);
    }
  }
}

function drawAlignment(grid: Grid, cx: number, cy: number): void {
  for (let dy = -2; dy <= 2; dy++) {
    for (let dx = -2; dx <= 2; dx++) grid.setFunction(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
  }
}

function drawFormat(grid: Grid, mask: number): void {
  const bits = formatBits(mask);
  const bit = (i: number) => ((bits >>> i) & 1) === 1;
  const n = grid.size;
  // Around the top-left finder: bits 0–7 down column 8 (skipping the timing row), 8–14 along row 8.
  for (let i = 0; i <= 5; i++) grid.setFunction(8, i, bit(i));
  grid.setFunction(8, 7, bit(6));
  grid.setFunction(8, 8, bit(7));
  grid.setFunction(7, 8, bit(8));
  for (let i = 9; i < 15; i++) grid.setFunction(14 - i, 8, bit(i));
  // The copy: bits 0–7 along row 8 under the top-right finder, 8–14 up column 8 beside the bottom-left one.
  for (let i = 0; i < 8; i++) grid.setFunction(n - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) grid.setFunction(8, n - 15 + i, bit(i));
  grid.setFunction(8, n - 8, true); // the dark module
}

function drawVersion(grid: Grid, version: number): void {
  if (version < 7) return;
  const bits = versionBits(version);
  for (let i = 0; i < 18; i++) {
    const dark = ((bits >>> i) & 1) === 1;
    const a = grid.size - 11 + (i % 3);
    const b = Math.floor(i / 3);
    grid.setFunction(a, b, dark); // 6 rows × 3 columns left of the top-right finder
    grid.setFunction(b, a, dark); // 3 rows × 6 columns above the bottom-left finder
  }
}

function drawFunctionPatterns(grid: Grid, version: number): void {
  const n = grid.size;
  for (let i = 0; i < n; i++) {
    grid.setFunction(6, i, i % 2 === 0);
    grid.setFunction(i, 6, i % 2 === 0);
  }
  drawFinder(grid, 3, 3);
  drawFinder(grid, n - 4, 3);
  drawFinder(grid, 3, n - 4);
  const positions = ALIGNMENT[version]!;
  const last = positions.length - 1;
  for (let i = 0; i <= last; i++) {
    for (let j = 0; j <= last; j++) {
      const onFinder = (i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0);
      if (!onFinder) drawAlignment(grid, positions[i]!, positions[j]!);
    }
  }
  drawFormat(grid, 0); // reserves the format areas; redrawn with the chosen mask
  drawVersion(grid, version);
}

/** Data bits in the zigzag: column pairs from the right, alternately up and down, skipping column 6. */
function placeData(grid: Grid, codewords: readonly number[]): void {
  const n = grid.size;
  let i = 0;
  const total = codewords.length * 8;
  for (let right = n - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let vert = 0; vert < n; vert++) {
      const y = upward ? n - 1 - vert : vert;
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        if (grid.isFunction[y]![x]) continue;
        // Remainder bits (after the last codeword) stay light.
        if (i < total) grid.modules[y]![x] = ((codewords[i >>> 3]! >>> (7 - (i & 7))) & 1) === 1;
        i++;
      }
    }
  }
}

/** Whether mask pattern `mask` inverts the module in column x, row y. */
export function maskApplies(mask: number, x: number, y: number): boolean {
  switch (mask) {
    case 0:
      return (x + y) % 2 === 0;
    case 1:
      return y % 2 === 0;
    case 2:
      return x % 3 === 0;
    case 3:
      return (x + y) % 3 === 0;
    case 4:
      return (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0;
    case 5:
      return ((x * y) % 2) + ((x * y) % 3) === 0;
    case 6:
      return (((x * y) % 2) + ((x * y) % 3)) % 2 === 0;
    case 7:
      return (((x + y) % 2) + ((x * y) % 3)) % 2 === 0;
    default:
      throw new RangeError(`mask ${mask}`);
  }
}

function applyMask(grid: Grid, mask: number): void {
  for (let y = 0; y < grid.size; y++) {
    for (let x = 0; x < grid.size; x++) {
      if (!grid.isFunction[y]![x] && maskApplies(mask, x, y)) grid.modules[y]![x] = !grid.modules[y]![x];
    }
  }
}

const FINDER_LIKE = [
  [true, false, true, true, true, false, true, false, false, false, false],
  [false, false, false, false, true, false, true, true, true, false, true],
];

/** The penalty score of a finished symbol (ISO/IEC 18004 7.8.3, rules N1–N4). */
export function penalty(modules: readonly (readonly boolean[])[]): number {
  const n = modules.length;
  const at = (x: number, y: number, transposed: boolean) => (transposed ? modules[x]![y]! : modules[y]![x]!);
  let score = 0;
  for (const transposed of [false, true]) {
    for (let y = 0; y < n; y++) {
      // N1: a run of 5 + i modules of one colour scores 3 + i.
      let run = 1;
      for (let x = 1; x <= n; x++) {
        if (x < n && at(x, y, transposed) === at(x - 1, y, transposed)) {
          run++;
        } else {
          if (run >= 5) score += 3 + (run - 5);
          run = 1;
        }
      }
      // N3: 1:1:3:1:1 (finder-like) with 4 light modules on one side scores 40.
      for (let x = 0; x + 11 <= n; x++) {
        for (const pattern of FINDER_LIKE) {
          if (pattern.every((dark, k) => at(x + k, y, transposed) === dark)) score += 40;
        }
      }
    }
  }
  // N2: each 2×2 block of one colour scores 3.
  for (let y = 0; y + 1 < n; y++) {
    for (let x = 0; x + 1 < n; x++) {
      const c = modules[y]![x];
      if (c === modules[y]![x + 1] && c === modules[y + 1]![x] && c === modules[y + 1]![x + 1]) score += 3;
    }
  }
  // N4: 10 for every full 5 % the dark share is away from 50 %.
  let dark = 0;
  for (const row of modules) for (const m of row) if (m) dark++;
  const total = n * n;
  score += 10 * Math.floor(Math.abs(dark * 20 - total * 10) / total);
  return score;
}

export interface QrOptions {
  /** Use at least this version (1–10); the smallest that fits by default. */
  minVersion?: number;
  /** Force a mask (0–7) instead of choosing the lowest penalty; for tests. */
  mask?: number;
}

/** Encodes `text` (as UTF-8) in byte mode at error correction level M. */
export function encodeQr(text: string, options: QrOptions = {}): QrCode {
  const bytes = utf8(text);
  const minVersion = Math.max(1, options.minVersion ?? 1);
  let version = minVersion;
  while (version <= QR_MAX_VERSION && bytes.length > byteCapacity(version)) version++;
  if (version > QR_MAX_VERSION) {
    throw new RangeError(`${bytes.length} bytes do not fit a version ${QR_MAX_VERSION} QR code (at most ${byteCapacity(QR_MAX_VERSION)})`);
  }
  const codewords = interleave(dataCodewords(bytes, version), version);

  const size = 17 + 4 * version;
  const build = (mask: number) => {
    const grid = new Grid(size);
    drawFunctionPatterns(grid, version);
    placeData(grid, codewords);
    applyMask(grid, mask);
    drawFormat(grid, mask);
    return grid;
  };

  let best: { mask: number; grid: Grid; score: number } | null = null;
  const masks = options.mask !== undefined ? [options.mask] : [0, 1, 2, 3, 4, 5, 6, 7];
  for (const mask of masks) {
    const grid = build(mask);
    const score = penalty(grid.modules);
    if (!best || score < best.score) best = { mask, grid, score };
  }
  return { version, size, mask: best!.mask, modules: best!.grid.modules };
}

/**
 * An SVG path drawing the dark modules (each row's runs as rectangles), in module units, offset by
 * `border` (the quiet zone, 4 modules by the standard).
 */
export function qrSvgPath(qr: QrCode, border = 4): string {
  const parts: string[] = [];
  for (let y = 0; y < qr.size; y++) {
    let x = 0;
    while (x < qr.size) {
      if (!qr.modules[y]![x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < qr.size && qr.modules[y]![x]) x++;
      parts.push(`M${start + border} ${y + border}h${x - start}v1h${start - x}z`);
    }
  }
  return parts.join('');
}

/** A standalone SVG document of the code: dark on white, with the quiet zone. */
export function qrToSvg(qr: QrCode, options: { border?: number; dark?: string; light?: string } = {}): string {
  const border = options.border ?? 4;
  const side = qr.size + 2 * border;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges">` +
    `<rect width="${side}" height="${side}" fill="${options.light ?? '#FFFFFF'}"/>` +
    `<path d="${qrSvgPath(qr, border)}" fill="${options.dark ?? '#000000'}"/></svg>`
  );
}
