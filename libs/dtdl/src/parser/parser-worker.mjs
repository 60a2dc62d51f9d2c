// Runs the official DTDL parser (DTDLParser compiled to WebAssembly) inside a worker thread:
// the package is ESM with top-level await, so CommonJS code cannot load it directly, and a
// parse of a large ontology would otherwise block the service's event loop for a second.
import { parentPort } from 'node:worker_threads';

const { getInterop } = await import('@digicatapult/dtdl-parser');
const parser = await getInterop();

parentPort.on('message', ({ id, op, text }) => {
  try {
    const result = op === 'version' ? parser.parserVersion() : parser.parse(text);
    parentPort.postMessage({ id, ok: true, result });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
