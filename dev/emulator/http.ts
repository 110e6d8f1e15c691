// HTTP plumbing of the emulated portal: reading a request's body and parameters, writing an answer.
import type * as http from 'node:http';

import { isRecord } from './params';
import { parsePhpQuery } from './php';

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Writes a whole answer, unless the connection is gone or already answered. */
export function send(response: http.ServerResponse, status: number, body: string, contentType = JSON_CONTENT_TYPE, headers: Record<string, string> = {}): void {
	if (response.destroyed || response.writableEnded) {
		return;
	}
	response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...headers });
	response.end(body);
}

/** The request's body; rejects one over 10 MiB and drops its connection. */
export function readBody(request: http.IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		request.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) {
				reject(new RangeError('Request body too large'));
				request.destroy();
				return;
			}
			chunks.push(chunk);
		});
		request.on('end', () => resolve(Buffer.concat(chunks)));
		request.on('error', reject);
	});
}

/** Query string merged with the body (JSON or form), the body winning as in PHP's $_REQUEST. */
export function parseParams(query: string, body: Buffer, contentType: string | undefined): Record<string, unknown> {
	const params: Record<string, unknown> = parsePhpQuery(query);
	const text = body.toString('utf8');
	if (text.trim() === '') {
		return params;
	}
	const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
	if (type === 'application/json' || type.endsWith('+json')) {
		try {
			const parsed: unknown = JSON.parse(text);
			if (isRecord(parsed)) {
				Object.assign(params, parsed);
			}
		} catch {
			// A body that is not JSON carries no parameters, as on a PHP portal.
		}
	} else if (type === 'application/x-www-form-urlencoded' || type === '' || type === 'text/plain') {
		Object.assign(params, parsePhpQuery(text));
	}
	return params;
}
