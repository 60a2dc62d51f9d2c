// Bundles the stdio MCP server into one file, so a desktop AI client can start it from any directory.
const path = require('node:path');

function build() {
  require('esbuild').buildSync({
    entryPoints: [path.join(__dirname, 'src/stdio-entry.ts')],
    outfile: path.join(__dirname, 'dist/dt-mcp.cjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: 'linked',
    tsconfig: path.join(__dirname, '../../tsconfig.base.json'),
    logLevel: 'warning',
  });
}

module.exports = { build };
if (require.main === module) build();
