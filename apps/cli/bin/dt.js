#!/usr/bin/env node
'use strict';
// Runs the bundle; in the repository, rebuilds it first when a source is newer (esbuild: ~100 ms).
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'dt.cjs');
const sources = [path.join(root, 'src'), path.join(root, '../../libs/client/src')];

function newest(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

if (fs.existsSync(sources[0])) {
  const built = fs.existsSync(bundle) ? fs.statSync(bundle).mtimeMs : 0;
  if (sources.some((s) => fs.existsSync(s) && newest(s) > built)) require('../build.js').build();
}
require(bundle);
