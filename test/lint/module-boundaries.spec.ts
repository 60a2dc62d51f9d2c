import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

interface Probe {
  name: string;
  file: string;
  code: string;
}

/** Each probe is an import the architecture forbids (docs/architecture.md, "Module boundaries"), or one it allows. */
const forbidden: Probe[] = [
  { name: 'contracts depend on nothing', file: 'libs/contracts/src/probe.ts', code: "import { loadConfig } from '@odt/service-kit';\nexport const x = loadConfig;\n" },
  { name: 'a pure domain lib never imports Nest', file: 'libs/dtdl/src/probe.ts', code: "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n" },
  { name: 'a pure domain lib never imports a driver', file: 'libs/dtdl/src/probe.ts', code: "import { Client } from 'pg';\nexport const x = Client;\n" },
  { name: 'a shared lib never imports a service', file: 'libs/messaging/src/probe.ts', code: "import { TwinsService } from '../../../apps/twins-service/src/twins/twins.service';\nexport const x = TwinsService;\n" },
  { name: 'a data-access lib never imports another data-access lib', file: 'libs/model-catalog/src/probe.ts', code: "import { OutboxRelay } from '@odt/outbox';\nexport const x = OutboxRelay;\n" },
  { name: 'the platform never imports a data-access lib', file: 'libs/messaging/src/probe.ts', code: "import { ModelCatalog } from '@odt/model-catalog';\nexport const x = ModelCatalog;\n" },
  { name: 'a util lib never imports the platform', file: 'libs/service-kit/src/probe.ts', code: "import { InternalClient } from '@odt/messaging';\nexport const x = InternalClient;\n" },
];
const allowed: Probe[] = [
  {
    name: 'an app may use contracts, the platform and data-access libs',
    file: 'apps/gateway/src/probe.ts',
    code: "import { Subjects } from '@odt/contracts';\nimport { InternalClient } from '@odt/messaging';\nimport { OutboxRelay } from '@odt/outbox';\nexport const x = [Subjects, InternalClient, OutboxRelay];\n",
  },
  { name: 'a data-access lib may use the platform', file: 'libs/model-catalog/src/probe.ts', code: "import { InternalClient } from '@odt/messaging';\nexport const x = InternalClient;\n" },
  { name: 'the platform may build on itself and on util libs', file: 'libs/service-runtime/src/probe.ts', code: "import { MessagingModule } from '@odt/messaging';\nimport { loadConfig } from '@odt/service-kit';\nexport const x = [MessagingModule, loadConfig];\n" },
];

describe('module boundaries (eslint @nx/enforce-module-boundaries)', () => {
  let results: { boundary: string[]; fatal: string[] }[];

  beforeAll(() => {
    // The rule reads Nx's cached project graph; a clean clone has none until Nx computes it.
    execFileSync(process.execPath, [require.resolve('nx/bin/nx'), 'show', 'projects'], { cwd: ROOT, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' });
    const probes = [...forbidden, ...allowed].map((p) => ({ file: path.join(ROOT, p.file), code: p.code }));
    results = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'lint-probes.mjs'), JSON.stringify(probes)], { cwd: ROOT, encoding: 'utf8' }));
  });

  it.each(forbidden.map((p, i) => [p.name, i] as const))('forbids: %s', (_name, i) => {
    expect(results[i].fatal).toEqual([]);
    expect(results[i].boundary.length).toBeGreaterThan(0);
  });

  it.each(allowed.map((p, i) => [p.name, forbidden.length + i] as const))('allows: %s', (_name, i) => {
    expect(results[i]).toEqual({ boundary: [], fatal: [] });
  });
});
