import adapter from '@sveltejs/adapter-node';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const webDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * adapter-node reads `package.json` from the working directory: its `dependencies` stay external
 * (loaded from node_modules at run time), everything else is bundled into build/. web/ has no
 * package.json of its own (docs/architecture.md: one package.json at the root), so run the adapter from the repo
 * root: root `dependencies` (zod, socket.io-client, ...) stay external, devDependencies (svelte, kit,
 * layerchart) are bundled. `out` is absolute for the same reason; it is web/build.
 * @param {import('@sveltejs/kit').Adapter} inner
 * @returns {import('@sveltejs/kit').Adapter}
 */
function fromRepoRoot(inner) {
  return {
    ...inner,
    async adapt(builder) {
      const cwd = process.cwd();
      process.chdir(repoRoot);
      try {
        await inner.adapt(builder);
      } finally {
        process.chdir(cwd);
      }
    },
  };
}

/** @type {import('@sveltejs/kit').Config} */
const config = {
  kit: {
    adapter: fromRepoRoot(adapter({ out: `${webDir}build` })),
    alias: {
      // Shared domain types and zod schemas (docs/architecture.md: core/ is used by server and web alike).
      // Resolved from this file, not from the working directory, so every tool agrees on it.
      $core: fileURLToPath(new URL('../core', import.meta.url)),
    },
    // 'auto': nonces for server-rendered pages, hashes for prerendered ones. 'unsafe-inline' in
    // style-src keeps Svelte's inline style attributes working (SvelteKit then adds no style nonce,
    // which would otherwise make browsers ignore 'unsafe-inline').
    csp: {
      mode: 'auto',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:'],
        // 'self' covers same-origin ws:/wss: (CSP Level 3): Socket.IO reaches only this app.
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        // Replaced per request by the server hook (OEE_FRAME_ANCESTORS may open /wall to a list of origins).
        'frame-ancestors': ['none'],
      },
    },
  },
};

export default config;
