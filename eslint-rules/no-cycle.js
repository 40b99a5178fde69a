// No import cycles (docs/architecture.md#layers). Type-only imports count too: a cycle of types is
// still two modules that cannot be understood one without the other (issue 16 found one in realtime/).
// Dynamic `import()` is left out: it is how a module loads another lazily, on purpose.
import path from 'node:path';
import { importsOf, resolveImport } from './module-graph.js';

/** The tree's own modules a file imports statically, as existing files. */
function targets(root, file) {
  const out = [];
  for (const { target } of importsOf(root, file)) {
    if (target.file && !target.file.includes(`${path.sep}node_modules${path.sep}`)) out.push(target.file);
  }
  return out;
}

/** A path from `start` back to `goal`, depth first, or undefined. */
function pathBack(root, start, goal, seen) {
  if (start === goal) return [goal];
  if (seen.has(start)) return undefined;
  seen.add(start);
  for (const next of targets(root, start)) {
    const rest = pathBack(root, next, goal, seen);
    if (rest) return [start, ...rest];
  }
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'No import cycles between the modules of the tree' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, required: ['root'], additionalProperties: false }],
  },
  create(context) {
    const { root } = context.options[0];
    const file = context.filename;
    const seen = new Set([file]);
    const rel = (f) => path.relative(root, f);

    function check(node, spec) {
      const target = resolveImport(root, file, spec);
      if (!target.file || target.file === file) return;
      const cycle = pathBack(root, target.file, file, seen);
      if (cycle) context.report({ node, message: `Import cycle: ${[file, ...cycle].map(rel).join(' → ')}` });
    }

    return {
      'ImportDeclaration, ExportNamedDeclaration, ExportAllDeclaration'(node) {
        if (node.source && typeof node.source.value === 'string') check(node, node.source.value);
      },
    };
  },
};
