import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DomainError } from '@odt/contracts';

/** Loopback, private, link-local, CGNAT, unspecified and multicast ranges: never reached unless allowed. */
const PRIVATE = new net.BlockList();
for (const [net4, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  PRIVATE.addSubnet(net4, bits, 'ipv4');
}
for (const [net6, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) PRIVATE.addSubnet(net6, bits, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1], 'ipv4');
  return PRIVATE.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}

const invalid = (message: string) => new DomainError('ValidationFailed', message);

export type JobUri = { kind: 'file'; path: string } | { kind: 'http'; url: URL };

/**
 * Where job files live: `file:///<name>` resolves inside JOBS_STORAGE_DIR and nowhere else (no
 * `..`, no symlink leading out); `http(s)://` URLs are fetched, refusing loopback, private and
 * link-local addresses (at every connection, so a name that re-resolves cannot sneak past)
 * unless private URLs are allowed.
 */
export class JobStorage {
  constructor(
    readonly root: string,
    private readonly allowPrivate: boolean,
  ) {}

  /** Checks a URI as given by a client (the file need not exist yet for an output). */
  async parse(name: 'inputBlobUri' | 'outputBlobUri', value: unknown): Promise<JobUri> {
    if (typeof value !== 'string' || value.length === 0) throw invalid(`${name} is required.`);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw invalid(`${name} is not a valid URI.`);
    }
    if (url.protocol === 'file:') return { kind: 'file', path: await this.confined(name, value, name === 'inputBlobUri') };
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      await this.checkHost(name, url);
      return { kind: 'http', url };
    }
    throw invalid(`${name} must be a file:///, http:// or https:// URI.`);
  }

  /** The path of a `file:///<name>` URI, inside the storage directory, symlinks resolved. */
  async confined(name: string, uri: string, mustExist: boolean): Promise<string> {
    const raw = uri.slice('file://'.length);
    if (!raw.startsWith('/')) throw invalid(`${name}: a file URI is file:///<name>, relative to the jobs storage directory.`);
    let relative: string;
    try {
      relative = decodeURIComponent(raw.split(/[?#]/)[0]);
    } catch {
      throw invalid(`${name} is not a valid URI.`);
    }
    if (relative.split(/[\\/]/).some((segment) => segment === '..') || relative.includes('\0')) throw invalid(`${name} must not leave the jobs storage directory.`);
    const root = await this.realRoot();
    const target = path.resolve(root, `.${relative}`);
    const real = await realpath(target).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT' || mustExist) throw invalid(`${name}: ${relative} does not exist in the jobs storage directory.`);
      // Not there yet (an output): its directory must be inside.
      const dir = await realpath(path.dirname(target)).catch(() => {
        throw invalid(`${name}: the directory of ${relative} does not exist in the jobs storage directory.`);
      });
      return path.join(dir, path.basename(target));
    });
    if (real !== root && !real.startsWith(root + path.sep)) throw invalid(`${name} must not leave the jobs storage directory.`);
    if (mustExist && !(await stat(real)).isFile()) throw invalid(`${name}: ${relative} is not a file.`);
    return real;
  }

  /** Makes sure a directory of the storage directory exists. */
  async directory(relative: string): Promise<void> {
    await mkdir(path.join(await this.realRoot(), relative), { recursive: true });
  }

  /** A path inside the storage directory, relative to it. */
  async relative(inside: string): Promise<string> {
    return path.relative(await this.realRoot(), inside);
  }

  private async realRoot(): Promise<string> {
    await mkdir(this.root, { recursive: true });
    return realpath(this.root);
  }

  private async checkHost(name: string, url: URL): Promise<void> {
    if (this.allowPrivate) return;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = net.isIP(host) ? [host] : await new Promise<string[]>((resolve, reject) => {
      dnsLookup(host, { all: true }, (err, found) => (err ? reject(invalid(`${name}: the host ${host} does not resolve.`)) : resolve((found as LookupAddress[]).map((a) => a.address))));
    });
    if (addresses.some(isPrivateAddress)) throw invalid(`${name}: ${host} is a loopback, private or link-local address; set JOBS_ALLOW_PRIVATE_URLS=true to allow it.`);
  }

  /** The input as a stream of text, gunzipped when it starts with gzip's magic bytes. */
  async open(uri: string): Promise<Readable> {
    const parsed = await this.parse('inputBlobUri', uri);
    const raw = parsed.kind === 'file' ? createReadStream(parsed.path) : await this.fetch(parsed.url);
    return gunzipIfCompressed(raw);
  }

  /**
   * The DNS lookup of every outbound connection: refuses loopback, private and link-local addresses
   * (unless allowed), so the address connected to is the one vetted.
   */
  private guardedLookup(): net.LookupFunction {
    const allowPrivate = this.allowPrivate;
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 4);
        const list = addresses as LookupAddress[];
        const bad = !allowPrivate && list.some((a) => isPrivateAddress(a.address));
        if (bad) return callback(Object.assign(new Error(`${hostname} resolves to a private address`), { code: 'EPRIVATE' }), '', 4);
        if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
        return callback(null, list[0].address, list[0].family);
      });
    };
  }

  private fetch(url: URL): Promise<Readable> {
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.get(url, { lookup: this.guardedLookup() }, (res) => {
        if ((res.statusCode ?? 0) >= 300) {
          res.resume();
          reject(invalid(`The input could not be read: ${url.host} answered HTTP ${res.statusCode}.`));
          return;
        }
        resolve(res);
      });
      req.on('error', (err) => reject(invalid(`The input could not be read from ${url.host}: ${err.message}`)));
    });
  }

  /**
   * PUTs a file of the storage directory to an `http(s)` URL as it is given (a pre-signed S3 or GCS
   * URL, an Azure SAS URL: `x-ms-blob-type: BlockBlob` is sent for Azure, and ignored elsewhere),
   * with its length (the stores refuse chunked uploads), the same address rules as inputs, no
   * redirects followed. Rejects with why on a refused address, a network error or an HTTP error.
   */
  async put(url: URL, file: string, contentType: string): Promise<void> {
    await this.checkHost('outputBlobUri', url);
    const { size } = await stat(file);
    const client = url.protocol === 'https:' ? https : http;
    await new Promise<void>((resolve, reject) => {
      const req = client.request(url, {
        method: 'PUT', lookup: this.guardedLookup(),
        headers: { 'content-type': contentType, 'content-length': String(size), 'x-ms-blob-type': 'BlockBlob' },
      }, (res) => {
        res.resume();
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`${url.host} answered HTTP ${res.statusCode}`));
        else res.on('end', () => resolve()).on('error', reject);
      });
      req.on('error', reject);
      const body = createReadStream(file);
      body.on('error', (err) => req.destroy(err));
      body.pipe(req);
    });
  }

  /**
   * Removes the files the jobs service or the gateway made for a job — a direct upload
   * (`uploads/`), a log it wrote where no outputBlobUri was given (`logs/`), an export (`exports/`)
   * — and never a file a client named elsewhere: only files directly in one of `dirs`. A file
   * already gone is no error.
   */
  async removeOwned(files: { uri?: string | null; relative?: string }[], dirs: ('uploads' | 'logs' | 'exports')[]): Promise<void> {
    const root = await this.realRoot();
    for (const file of files) {
      let relative = file.relative;
      if (relative === undefined && file.uri?.startsWith('file:///')) {
        try {
          relative = decodeURIComponent(file.uri.slice('file:///'.length).split(/[?#]/)[0]);
        } catch {
          continue;
        }
      }
      const [dir, name, ...more] = (relative ?? '').split(/[\\/]/);
      if (!(dirs as string[]).includes(dir) || !name || name === '.' || name === '..' || more.length > 0 || name.includes('\0')) continue;
      for (const target of [path.join(root, dir, name), path.join(root, dir, `${name}.partial`)]) {
        await unlink(target).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
      }
    }
  }

  /** A file under the storage directory, written to a temporary name and renamed when complete. */
  async writer(relative: string): Promise<{ stream: WriteStream; path: string; commit(): Promise<void> }> {
    const root = await this.realRoot();
    const target = path.join(root, relative);
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.partial`;
    const stream = createWriteStream(temporary);
    // A failed write surfaces at the next write or at commit, never as an unhandled event.
    stream.on('error', () => undefined);
    return {
      stream,
      path: target,
      commit: async () => {
        await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
        await rename(temporary, target);
      },
    };
  }
}

/** Where an export's file is, relative to the storage directory. */
export const exportFile = (id: string) => `exports/${encodeURIComponent(id)}.ndjson`;
/**
 * Removes the files made for a job once it is forgotten (deleted, or purged after
 * JOBS_RETENTION_HOURS): an import's direct upload (`uploads/`) and the log files written under
 * `uploads/` or `logs/`, an export's file. Files a client named elsewhere stay.
 */
export async function removeJobFiles(storage: JobStorage, job: { kind: string; id: string; input_uri: string | null; output_uri: string | null }): Promise<void> {
  if (job.kind === 'import') await storage.removeOwned([{ uri: job.input_uri }, { uri: job.output_uri }], ['uploads', 'logs']);
  if (job.kind === 'export') await storage.removeOwned([{ relative: exportFile(job.id) }], ['exports']);
}

async function gunzipIfCompressed(raw: Readable): Promise<Readable> {
  const first = await new Promise<Buffer | null>((resolve, reject) => {
    const onReadable = () => {
      cleanup();
      resolve(raw.read(2) as Buffer | null ?? (raw.read() as Buffer | null));
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      raw.off('readable', onReadable);
      raw.off('end', onEnd);
      raw.off('error', onError);
    };
    raw.on('readable', onReadable);
    raw.on('end', onEnd);
    raw.on('error', onError);
  });
  const out = new PassThrough();
  if (first === null) {
    out.end();
    return out;
  }
  raw.unshift(first);
  if (first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b) return raw.pipe(createGunzip()).on('error', (err) => out.destroy(err)).pipe(out);
  raw.on('error', (err) => out.destroy(err));
  return raw.pipe(out);
}
