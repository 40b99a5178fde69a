// Imports point one way, downwards (docs/architecture.md#layers). A file's layer is its top folder;
// an import is checked against the table below by where it resolves, so `../../db/x.js` from realtime/ is caught
// however deep the file sits. Unit tests next to the code (`*.test.ts`) follow their folder's row.
import { importsOf, layerOf, resolveImport } from './module-graph.js';

const EVERYTHING = ['core', 'db', 'services', 'ingest', 'realtime', 'scheduler', 'env', 'root', 'scripts', 'web'];

/** For each layer, the other layers it may import. Imports inside a layer are always allowed. */
const MAY_IMPORT = {
  core: [],
  db: ['core'],
  services: ['core', 'db'],
  ingest: ['core', 'services'],
  realtime: ['core', 'services'],
  scheduler: ['core', 'services'],
  env: ['core'],
  // The composition root builds everything.
  root: EVERYTHING,
  scripts: EVERYTHING,
  // Integration tests, their support code and the benches start the app the way the root does.
  test: [...EVERYTHING, 'test'],
  // The SvelteKit app, in the browser and on its server: core/ through `$core`, nothing else of the server's.
  web: ['core'],
};

/** Transport packages: only the transports and the composition root use them (docs/architecture.md). */
const TRANSPORT_PACKAGES = [
  'express',
  'socket.io',
  'socket.io-client',
  '@socket.io/postgres-adapter',
  'ws',
  'agenda',
  '@agendajs/postgres-backend',
  '@agendajs/mongo-backend',
  'helmet',
  'cookie-parser',
  'pino-http',
  'mqtt',
  'sparkplug-payload',
];
const NO_TRANSPORT_PACKAGES = ['core', 'db', 'services'];

/** core/ depends on nothing but zod and luxon (and Node's built-ins, vitest in its unit tests). */
const CORE_PACKAGES = ['zod', 'luxon', 'vitest'];

const FOLDER = { root: 'server.ts and main.ts', env: 'env.ts' };
const name = (layer) => FOLDER[layer] ?? `${layer}/`;
const list = (layers) =>
  layers.length === 0
    ? 'nothing of ours'
    : layers
        .map(name)
        .join(', ')
        .replace(/, ([^,]*)$/, ' and $1');

/**
 * Whether a core module, imported by value, pulls in a package (zod, luxon, a node: built-in) through its value
 * imports. Types are erased from the bundle; values are not, and the wall page has a budget of 200 kB gzipped.
 * @returns {string[] | undefined} the chain of files down to the package
 */
function pullsInPackage(root, file, seen = new Set()) {
  if (seen.has(file)) return undefined;
  seen.add(file);
  for (const { typeOnly, spec, target } of importsOf(root, file)) {
    if (typeOnly) continue;
    if (target.package) return [spec];
    if (target.file) {
      const chain = pullsInPackage(root, target.file, seen);
      if (chain) return [target.file.slice(root.length + 1), ...chain];
    }
  }
  return undefined;
}

function isTypeOnly(node) {
  if (node.type === 'ImportDeclaration') {
    return (
      node.importKind === 'type' ||
      (node.specifiers.length > 0 && node.specifiers.every((s) => s.type === 'ImportSpecifier' && s.importKind === 'type'))
    );
  }
  if (node.type === 'ExportNamedDeclaration') {
    return node.exportKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.exportKind === 'type'));
  }
  if (node.type === 'ExportAllDeclaration') return node.exportKind === 'type';
  return false;
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Imports follow the layers of docs/architecture.md' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, required: ['root'], additionalProperties: false }],
  },
  create(context) {
    const { root } = context.options[0];
    const file = context.filename;
    const from = layerOf(root, file);
    const allowed = MAY_IMPORT[from];
    if (!allowed) return {}; // root config files and eslint-rules/ themselves

    function check(node, spec) {
      const target = resolveImport(root, file, spec);
      if (target.package) {
        if (NO_TRANSPORT_PACKAGES.includes(from) && TRANSPORT_PACKAGES.includes(target.package)) {
          context.report({
            node,
            message: `${name(from)} has no transport in it: '${target.package}' belongs in ingest/, realtime/ or scheduler/ (docs/architecture.md#layers)`,
          });
        } else if (from === 'core' && !target.package.startsWith('node:') && !CORE_PACKAGES.includes(target.package)) {
          context.report({
            node,
            message: `core/ depends on zod and luxon only, not '${target.package}' (docs/architecture.md#layers)`,
          });
        }
        return;
      }
      const to = layerOf(root, target.file ?? target.path);
      if (from === 'web') {
        if (to === 'web') return;
        if (to === 'core' && target.alias !== '$core') {
          context.report({ node, message: `web/ imports core/ through the $core alias, not '${spec}' (web/svelte.config.js)` });
          return;
        }
        if (to === 'core') {
          const chain = target.file && !isTypeOnly(node) ? pullsInPackage(root, target.file) : undefined;
          if (chain) {
            context.report({
              node,
              message: `web/ imports values from core/ only where they pull in no package: '${spec}' brings ${chain.join(' → ')}; import its types with \`import type\` (bundle size, docs/architecture.md#layers)`,
            });
          }
          return;
        }
      }
      if (to === from || allowed.includes(to)) return;
      context.report({
        node,
        message: `${name(from)} may import ${list(allowed)} only, not ${name(to)} ('${spec}'): see docs/architecture.md#layers`,
      });
    }

    return {
      'ImportDeclaration, ExportNamedDeclaration, ExportAllDeclaration'(node) {
        if (node.source && typeof node.source.value === 'string') check(node, node.source.value);
      },
      ImportExpression(node) {
        if (node.source.type === 'Literal' && typeof node.source.value === 'string') check(node, node.source.value);
      },
    };
  },
};
