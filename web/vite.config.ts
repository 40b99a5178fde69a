import { sveltekit } from '@sveltejs/kit/vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    // web/ imports shared code from ../core, and dependencies live in the root node_modules.
    fs: { allow: [repoRoot] },
  },
});
