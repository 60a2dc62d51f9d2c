// Image build step (see the Dockerfile). @swc/core ships its native addon packed; on first load it
// unpacks it into ~/.cache, or a private directory under TMPDIR, and refuses a TMPDIR others can
// write without a sticky bit. A container with a read-only root filesystem has neither: its /tmp
// is a Kubernetes emptyDir (mode 0777) or a noexec tmpfs. So unpack once at build time and put the
// unpacked addon in the packed one's place; at run time it loads like any other addon.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

require('@swc/core');
const packed = Object.keys(require.cache).find((file) => file.endsWith('.node'));
const cache = path.join(os.homedir(), '.cache', `swc-native-${process.getuid()}`, 'v1');
const unpacked = fs.existsSync(cache) ? fs.readdirSync(cache).filter((file) => file.endsWith('.node')) : [];
if (!packed || unpacked.length !== 1) {
  throw new Error(`@swc/core: expected one loaded addon and one unpacked copy in ${cache} (found ${unpacked.length})`);
}
// A new file renamed into place: this process still has the packed one mapped.
fs.copyFileSync(path.join(cache, unpacked[0]), `${packed}.unpacked`);
fs.chmodSync(`${packed}.unpacked`, 0o644);
fs.renameSync(`${packed}.unpacked`, packed);
fs.rmSync(path.dirname(cache), { recursive: true, force: true });
process.stdout.write(`unpacked ${packed}\n`);
