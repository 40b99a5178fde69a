// The import graph of the tree, shared by the local rules `layers` and `no-cycle` (eslint-rules/index.js).
// Each file is read once per lint run (and again when it changes on disk) with TypeScript's parser, top-level
// statements only: enough to see every static import and re-export, without type information.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The folders of the layers (docs/architecture.md); a root file is its own layer. */
const ROOT_FILES = { 'server.ts': 'root', 'main.ts': 'root', 'env.ts': 'env' };

/**
 * The layer of a file: its top folder under the repository root, `root` for server.ts and main.ts, `env` for env.ts,
 * `config` for the other root files (vitest.config.ts, eslint.config.js), `outside` above the root or in node_modules.
 * @param {string} root absolute repository root
 * @param {string} file absolute path
 */
export function layerOf(root, file) {
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return 'outside';
  const [top, ...rest] = rel.split(path.sep);
  if (top === 'node_modules') return 'outside';
  if (rest.length === 0) return ROOT_FILES[top] ?? 'config';
  return top;
}

/** Bare specifiers that are packages or Node built-ins, by their package name (`node:fs` stays `node:fs`). */
function packageName(spec) {
  if (spec.startsWith('node:')) return spec;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

// Extension-less web imports (`./types`, `$lib/admin/form.svelte`) and NodeNext's `.js` for a `.ts` file.
const CANDIDATES = ['', '.ts', '.js', '.svelte', '.svelte.ts', '/index.ts', '/index.js'];

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function findFile(target) {
  const stems = target.endsWith('.js') ? [target.slice(0, -3) + '.ts', target] : [];
  for (const stem of stems) if (isFile(stem)) return stem;
  for (const ext of CANDIDATES) if (isFile(target + ext)) return target + ext;
  return undefined;
}

/**
 * Where an import points. `path` is always set for the tree's own modules (even when the file does not exist, as
 * for SvelteKit's generated `./$types`), `file` when it exists; `package` for everything else.
 * @param {string} root
 * @param {string} fromFile absolute
 * @param {string} spec
 * @returns {{ path?: string, file?: string, package?: string, alias?: string }}
 */
export function resolveImport(root, fromFile, spec) {
  let target;
  let alias;
  if (spec.startsWith('.')) target = path.resolve(path.dirname(fromFile), spec);
  else if (spec === '$core' || spec.startsWith('$core/')) {
    alias = '$core';
    target = path.join(root, 'core', spec.slice('$core'.length));
  } else if (spec === '$lib' || spec.startsWith('$lib/')) {
    alias = '$lib';
    target = path.join(root, 'web', 'src', 'lib', spec.slice('$lib'.length));
  } else if (spec.startsWith('$app/') || spec.startsWith('$env/')) return { package: spec };
  else if (path.isAbsolute(spec)) target = spec;
  else return { package: packageName(spec) };
  return { path: target, file: findFile(target), alias };
}

/** @typedef {{ spec: string, typeOnly: boolean }} ImportRef */

function isTypeOnlyImport(node) {
  const clause = node.importClause;
  if (!clause) return false; // `import 'x'`: a side effect
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

function isTypeOnlyExport(node) {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return !!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

/** Static imports and re-exports of a module's source (dynamic `import()` is lazy and left out). */
export function parseImports(fileName, text) {
  const source = fileName.endsWith('.svelte') ? svelteScripts(text) : text;
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  /** @type {ImportRef[]} */
  const refs = [];
  for (const node of sf.statements) {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      refs.push({ spec: node.moduleSpecifier.text, typeOnly: isTypeOnlyImport(node) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      refs.push({ spec: node.moduleSpecifier.text, typeOnly: isTypeOnlyExport(node) });
    }
  }
  return refs;
}

function svelteScripts(text) {
  return [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
}

/** @typedef {ImportRef & { target: ReturnType<typeof resolveImport> }} ResolvedRef */
/** @type {Map<string, { mtimeMs: number, refs: ResolvedRef[] }>} */
const cache = new Map();

/** The imports of a file on disk with where they point, re-read when the file changed. */
export function importsOf(root, file) {
  let mtimeMs;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.refs;
  const refs = parseImports(file, fs.readFileSync(file, 'utf8')).map((ref) => ({ ...ref, target: resolveImport(root, file, ref.spec) }));
  cache.set(file, { mtimeMs, refs });
  return refs;
}
