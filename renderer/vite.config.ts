import { defineConfig } from 'vite';

// The renderer bundle served by Electron (app://) and by `lifeboat serve`. JSX is compiled by
// Vite's own esbuild (the React plugin is not needed: no fast refresh, no Babel).
export default defineConfig({
  root: __dirname,
  base: './',
  publicDir: 'public',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    // No inline scripts or styles: the content security policy allows 'self' only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
