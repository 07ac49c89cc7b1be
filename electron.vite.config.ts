import { resolve } from 'node:path';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// Three builds: the main process (Electron shell + engine, and the headless CLI that shares the
// engine), the sandboxed preload, and the renderer pages (the console and the media host).
export default defineConfig({
  main: {
    build: {
      outDir: 'out',
      emptyOutDir: false,
      rollupOptions: {
        input: {
          'main/index': resolve(__dirname, 'electron/main/index.ts'),
          cli: resolve(__dirname, 'electron/cli/index.ts'),
          // Speech inference runs in worker threads; the pool finds this file beside its chunk.
          'speech-worker': resolve(__dirname, 'electron/engine/speech/worker/worker-entry.ts'),
        },
        output: {
          entryFileNames: '[name].js',
          chunkFileNames: 'chunks/[name]-[hash].js',
          // out/cli.js is the package's `outbound` bin.
          banner: (chunk) => (chunk.name === 'cli' ? '#!/usr/bin/env node' : ''),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'electron/preload/index.ts'),
          'media-host': resolve(__dirname, 'electron/preload/media-host.ts'),
        },
        // A sandboxed preload cannot load ES modules or npm packages: one CommonJS file.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      minify: true,
      rollupOptions: {
        input: {
          console: resolve(__dirname, 'renderer/console/index.html'),
          'media-host': resolve(__dirname, 'renderer/media-host/index.html'),
        },
      },
    },
  },
});
