import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { DigitalTwinsClient } from '@azure/digital-twins-core';

/**
 * The README's walkthrough with the official SDK, as it comes: no custom transport, no proxy.
 *
 *   NODE_EXTRA_CA_CERTS=.odt/tls/ca.pem node -r @swc-node/register examples/sdk-quickstart/main.ts
 *
 * ODT_URL: the gateway's HTTPS address (https://127.0.0.1:8443 under `npm start`). The SDK sends a
 * bearer token on every call and refuses to over plain http. ODT_TOKEN: an access token (`npm run
 * token -- --role DataOwner`) when the gateway checks them; without authentication any text will
 * do, and the gateway ignores it.
 */

const url = process.env.ODT_URL ?? 'https://127.0.0.1:8443';
const token = process.env.ODT_TOKEN ?? 'no-authentication';

/** The token the SDK asks for before each call; with Entra ID use @azure/identity's DefaultAzureCredential instead. */
const credential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

const ROOM = 'dtmi:example:Room;1';
const THERMOSTAT = 'dtmi:example:Thermostat;1';
const models = [
  {
    '@id': ROOM,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;3',
    displayName: 'Room',
    contents: [
      { '@type': 'Property', name: 'name', schema: 'string' },
      { '@type': 'Property', name: 'temperature', schema: 'double' },
      { '@type': 'Component', name: 'thermostat', schema: THERMOSTAT },
      { '@type': 'Relationship', name: 'adjacentTo', target: ROOM, properties: [{ '@type': 'Property', name: 'doors', schema: 'integer' }] },
    ],
  },
  {
    '@id': THERMOSTAT,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;3',
    displayName: 'Thermostat',
    contents: [
      { '@type': 'Property', name: 'setPoint', schema: 'double', writable: true },
      { '@type': 'Telemetry', name: 'reading', schema: 'double' },
    ],
  },
];

async function main(): Promise<void> {
  const client = new DigitalTwinsClient(url, credential);

  try {
    const created = await client.createModels(models);
    console.log(`uploaded ${created.map((m) => m.id).join(', ')}`);
  } catch (err) {
    // Run twice against the same instance: the models are there already.
    if ((err as { code?: string }).code !== 'ModelIdAlreadyExists') throw err;
    console.log('models already uploaded');
  }

  const room1 = await client.upsertDigitalTwin('room1', JSON.stringify({
    $metadata: { $model: ROOM },
    name: 'Room 1',
    temperature: 21.5,
    thermostat: { $metadata: {}, setPoint: 21 },
  }));
  console.log(`created room1 ${room1.etag}`);

  await client.updateDigitalTwin('room1', [
    { op: 'replace', path: '/temperature', value: 22.5 },
    { op: 'replace', path: '/thermostat/setPoint', value: 23 },
  ]);
  const read = (await client.getDigitalTwin('room1')).body;
  console.log(`read room1: temperature ${read.temperature}, thermostat.setPoint ${read.thermostat.setPoint}`);

  await client.upsertDigitalTwin('room2', JSON.stringify({ $metadata: { $model: ROOM }, thermostat: { $metadata: {} } }));
  await client.upsertRelationship('room1', 'room1-room2', { $relationshipName: 'adjacentTo', $targetId: 'room2', doors: 1 });
  for await (const rel of client.listRelationships('room1')) {
    console.log(`relationship ${rel.$relationshipId}: ${rel.$sourceId} ${rel.$relationshipName} ${rel.$targetId} (doors ${rel.doors})`);
  }

  await client.publishComponentTelemetry('room1', 'thermostat', JSON.stringify({ reading: 22.8 }), 'reading-1');
  console.log('sent telemetry reading-1');

  const rooms: string[] = [];
  for await (const row of client.queryTwins(`SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('${ROOM}')`)) rooms.push(row.$dtId);
  console.log(`query: ${rooms.sort().join(', ')}`);
}

main().catch((err: unknown) => {
  const e = err as { statusCode?: number; code?: string; message?: string };
  console.error(`failed: ${e.statusCode ?? ''} ${e.code ?? ''} ${e.message ?? String(err)}`.trim());
  process.exit(1);
});
