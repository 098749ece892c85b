/**
 * Bundles the sidecar for `npm start` with esbuild (packages stay external): plain JS starts
 * faster and uses ~30 MB less memory than transpiling at load time with tsx.
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry a hash: files of an earlier build would linger (and be packed).
rmSync('dist', { recursive: true, force: true });

await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // The bundle sits at the depth of src/ so paths relative to modules (the spec) still resolve.
  outdir: 'dist/src',
  outExtension: { '.js': '.mjs' },
  // Modules imported lazily (tracing) stay in their own chunk, loaded only when used.
  splitting: true,
  chunkNames: '[name]-[hash]',
  logLevel: 'warning',
});
