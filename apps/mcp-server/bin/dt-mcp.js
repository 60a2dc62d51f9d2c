#!/usr/bin/env node
'use strict';
// The MCP server on stdio (for desktop AI clients): runs the bundle, rebuilt first in the repository when a source is newer.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'dt-mcp.cjs');
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
