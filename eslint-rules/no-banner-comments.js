// No banner comments (`// --- helpers`, `// ====`): a file that needs section headings wants splitting, and a
// comment says why, not where (docs/architecture.md#principles).
const BANNER = /^\s*(-{3,}|={3,}|\*{3,}|#{3,}|~{3,})/;

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'suggestion',
    docs: { description: 'No `// ---` banner comments' },
    schema: [],
  },
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          if (comment.type === 'Line' && BANNER.test(comment.value)) {
            context.report({ loc: comment.loc, message: 'No banner comments: name the section in a sentence, or split the file' });
          }
        }
      },
    };
  },
};
