import path from 'node:path';
import { defineConfig } from 'vite';

const libs = path.resolve(import.meta.dirname, '..', '..', 'libs');

/** Built into dist/ and served by the gateway at /explorer/ (same origin: no CORS, no proxy). */
export default defineConfig({
  root: import.meta.dirname,
  base: '/explorer/',
  // The libraries by their sources, as tsconfig.json's paths say: no workspace links needed (the Docker build installs the Explorer's dependencies alone).
  resolve: { alias: { '@odt/client': path.join(libs, 'client', 'src', 'index.ts'), '@odt/contracts': path.join(libs, 'contracts', 'src', 'index.ts') } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  worker: { format: 'es' },
});
