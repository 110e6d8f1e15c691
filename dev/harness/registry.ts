// A local npm registry on 127.0.0.1 that holds one package, the packed tarball, and answers 404 for
// every other name: an install from it proves that npm needed nothing else. The install tests point
// npm at it (`npm_config_registry`) to run the README's own install commands without publishing.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface LocalRegistry {
	/** Ends with a slash, as npm's `registry` setting does. */
	url: string;
	/** Every path npm asked for, in order. */
	requests: string[];
	stop(): Promise<void>;
}

/** Serves `tarball` (an `npm pack` output) as its package's only version, and nothing else. */
export async function startLocalRegistry(tarball: string): Promise<LocalRegistry> {
	const bytes = readFileSync(tarball);
	const manifest = readPackedManifest(tarball);
	const name = manifest.name as string;
	const version = manifest.version as string;
	const file = `${name.split('/').pop()}-${version}.tgz`;
	const requests: string[] = [];
	let url = '';
	const packument = () => ({
		_id: name,
		name,
		'dist-tags': { latest: version },
		versions: {
			[version]: {
				...manifest,
				_id: `${name}@${version}`,
				dist: {
					tarball: `${url}${name}/-/${file}`,
					shasum: createHash('sha1').update(bytes).digest('hex'),
					integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
				},
			},
		},
		time: { [version]: new Date(0).toISOString() },
	});
	const server = createServer((request, response) => {
		const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://registry').pathname);
		requests.push(`${request.method} ${pathname}`);
		if (request.method === 'GET' && pathname === `/${name}`) {
			response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument()));
		} else if (request.method === 'GET' && pathname === `/${name}/-/${file}`) {
			response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
		} else {
			response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Not found' }));
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
	return {
		url,
		requests,
		stop: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

/** The package.json inside a packed tarball (`package/package.json`). */
function readPackedManifest(tarball: string): Record<string, unknown> {
	const text = execFileSync('tar', ['-xzOf', path.resolve(tarball), 'package/package.json'], { encoding: 'utf8' });
	return JSON.parse(text) as Record<string, unknown>;
}
