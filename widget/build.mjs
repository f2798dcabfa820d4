// npm run build: src/ -> dist/widget.js, one minified IIFE with the CSS inside it (imported as
// text and added as a <style> at run time), so one <script> tag is all an embedding page needs.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/index.js'],
  outfile: 'dist/widget.js',
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2019'],
  loader: { '.css': 'text' },
  // The bundled socket.io packages carry no licence comments of their own; name them here.
  legalComments: 'none',
  banner: {
    js:
      '/*! Study pre-screening chat widget. Bundles socket.io-client, engine.io-client, ' +
      'engine.io-parser, socket.io-parser (MIT License, Copyright (c) 2014-present Guillermo Rauch ' +
      'and Socket.IO contributors) and @socket.io/component-emitter (MIT License, Copyright (c) 2014 ' +
      'Component contributors). */',
  },
  logLevel: 'info',
});
