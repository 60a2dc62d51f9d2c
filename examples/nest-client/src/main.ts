import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { TwinReader } from './twin-reader';
import { TwinReaderModule } from './twin-reader.module';

/**
 * `npx ts-node`-style entry (run from the repository root):
 * `node -r @swc-node/register examples/nest-client/src/main.ts room1`
 * prints the twin, its relationships and the twins of its model.
 */
async function main(): Promise<void> {
  const id = process.argv[2] ?? 'room1';
  const app = await NestFactory.createApplicationContext(TwinReaderModule.forRoot({
    servers: (process.env.NATS_URL ?? 'nats://127.0.0.1:4222').split(','),
    namespace: process.env.NATS_NAMESPACE ?? '',
  }), { logger: ['error'] });
  try {
    const reader = app.get(TwinReader);
    const twin = await reader.twin(id);
    const relationships = await reader.relationships(id);
    const sameModel = await reader.query(`SELECT T.$dtId FROM DIGITALTWINS T WHERE T.$metadata.$model = '${twin.$metadata.$model}'`);
    process.stdout.write(`${JSON.stringify({ twin, relationships: relationships.value, sameModel }, null, 2)}\n`);
  } finally {
    await app.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify(err)}\n`);
  process.exit(1);
});
