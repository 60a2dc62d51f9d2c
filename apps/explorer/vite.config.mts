import { defineConfig } from 'vite';

/** Built into dist/ and served by the gateway at /explorer/ (same origin: no CORS, no proxy). */
export default defineConfig({
  root: import.meta.dirname,
  base: '/explorer/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  worker: { format: 'es' },
});
