// Bundles the CLI into one file (fast start: `dt --help` loads one script, and modules are initialised only when used).
const path = require('node:path');
const { version } = require('./package.json');

function build() {
  const esbuild = require('esbuild');
  esbuild.buildSync({
    entryPoints: [path.join(__dirname, 'src/index.ts')],
    outfile: path.join(__dirname, 'dist/dt.cjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: 'linked',
    tsconfig: path.join(__dirname, '../../tsconfig.base.json'),
    define: { DT_VERSION: JSON.stringify(version) },
    logLevel: 'warning',
  });
}

module.exports = { build };
if (require.main === module) build();
