/**
 * Reading what came back from a portal: the HTTP status, the JSON body, the `batch` envelope. Every
 * answer becomes a result or a redacted failure (docs/contract.md#errors); nothing here sends.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Bitrix24Failure } from '../errors/failures';
import { fromBitrixError, invalidResponse, networkFailure, refreshFailed } from '../errors/failures';
import { redactSecrets } from '../errors/redact';

/**
 * A call's result or failure. A result carries the HTTP status it came with: a single call's answer
 * status, null for a command inside a batch, whose request status says nothing about the command
 * (docs/contract.md#errors). An operation that finds the result unusable reports that status.
 */
export type Bitrix24Outcome =
	| { ok: true; result: unknown; time: IDataObject | null; httpCode: number | null; next?: number }
	| { ok: false; failure: Bitrix24Failure; time?: IDataObject | null };

/** What one request brought back: a status and body, or why there was none. */
export interface HttpAnswer {
	status: number | null;
	body: unknown;
	transportCode: string | null;
	message: string;
	/** n8n tried to renew the OAuth2 token after a 401 and could not. */
	refreshFailed: boolean;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** PHP sends an associative array keyed 0..n-1 (and an empty one) as a JSON list: read it as a map. */
export function asMap(value: unknown): Record<string, unknown> | null {
	if (isRecord(value)) return value;
	if (Array.isArray(value)) return Object.fromEntries(value.map((entry, index) => [String(index), entry as unknown]));
	return null;
}

function sameAddress(left: string, right: string): boolean {
	try {
		return new URL(left).href === new URL(right).href;
	} catch {
		return left === right;
	}
}

/**
 * True for an error of the OAuth2 token renewal rather than of the call: n8n's "reconnect" error, the
 * OAuth2 client's refusal (code EAUTH; n8n 1.x keeps only that code, as the NodeApiError's `httpCode`)
 * or its unreadable token answer, or a request to another address than the call's (the token endpoint).
 */
function isRefreshError(error: Record<string, unknown>, requestUrl: string): boolean {
	if (isRecord(error.failure) && error.failure.cause === 'credential-invalid') return true;
	if (error.code === 'EAUTH' && 'body' in error) return true;
	if (error.httpCode === 'EAUTH') return true;
	if (error.constructor?.name === 'ResponseError' && 'body' in error) return true;
	const config = error.config;
	return isRecord(config) && typeof config.url === 'string' && !sameAddress(config.url, requestUrl);
}

const TRANSPORT_CODE = /^E[A-Z_]+$/;

/**
 * n8n wraps request errors: find the HTTP answer inside. n8n 2.x throws a NodeApiError whose `cause`
 * is the axios error, with the response and the transport code (ECONNRESET, ...). n8n 1.x's NodeApiError
 * drops its cause and keeps only `httpCode` (the status, or the transport code) and, when the body is
 * an object, the body as `context.data`: read from there when the chain holds nothing better.
 */
export function readThrownAnswer(error: unknown, requestUrl: string): HttpAnswer {
	const answer: HttpAnswer = {
		status: null,
		body: undefined,
		transportCode: null,
		message: error instanceof Error ? error.message : String(error),
		refreshFailed: false,
	};
	let summary: Record<string, unknown> | undefined;
	const seen = new Set<unknown>();
	let current: unknown = error;
	while (isRecord(current) && !seen.has(current)) {
		seen.add(current);
		if (isRefreshError(current, requestUrl)) answer.refreshFailed = true;
		const response = current.response;
		if (answer.status === null && isRecord(response) && typeof response.status === 'number') {
			answer.status = response.status;
			answer.body = response.data;
		}
		if (answer.transportCode === null && typeof current.code === 'string' && TRANSPORT_CODE.test(current.code)) {
			answer.transportCode = current.code;
		}
		if (summary === undefined && typeof current.httpCode === 'string') summary = current;
		current = current.cause;
	}
	if (answer.status === null && answer.transportCode === null && summary !== undefined) {
		const httpCode = String(summary.httpCode);
		if (/^[1-5]\d\d$/.test(httpCode)) {
			answer.status = Number(httpCode);
			answer.body = isRecord(summary.context) ? summary.context.data : undefined;
		} else if (TRANSPORT_CODE.test(httpCode)) {
			answer.transportCode = httpCode;
		}
	}
	return answer;
}

/** A list method's `next`: where the following page starts, when there is one. */
function nextOf(value: unknown): { next?: number } {
	const next = Number(value);
	return value !== undefined && value !== null && Number.isInteger(next) && next > 0 ? { next } : {};
}

function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body) as unknown;
	} catch {
		return undefined;
	}
}

/**
 * A Bitrix24 error body: `error` is a code, and crm.item.* methods send it as a number (0 included);
 * the CRM's proxy (crm.invoice.get) sends an empty code with its text.
 */
function hasErrorCode(body: unknown): body is Record<string, unknown> {
	if (!isRecord(body)) return false;
	if (typeof body.error === 'number') return Number.isFinite(body.error);
	if (body.error === '') return typeof body.error_description === 'string' && body.error_description.trim() !== '';
	return typeof body.error === 'string' && body.error.trim() !== '';
}

/** One answer as a result or a failure; texts that could echo the request are redacted. */
export function readAnswer(answer: HttpAnswer, secrets: readonly string[]): Bitrix24Outcome {
	if (answer.refreshFailed) {
		return { ok: false, failure: refreshFailed(redactSecrets(answer.message, secrets)) };
	}
	if (answer.status === null) {
		return { ok: false, failure: networkFailure(answer.transportCode, answer.transportCode ?? redactSecrets(answer.message, secrets)) };
	}
	const body = parseBody(answer.body);
	if (hasErrorCode(body)) {
		return { ok: false, failure: fromBitrixError(body, answer.status, secrets), time: isRecord(body.time) ? (body.time as IDataObject) : null };
	}
	if (answer.status >= 200 && answer.status < 300 && isRecord(body) && 'result' in body) {
		return {
			ok: true,
			result: body.result,
			time: isRecord(body.time) ? (body.time as IDataObject) : null,
			httpCode: answer.status,
			...nextOf(body.next),
		};
	}
	if (body === undefined && typeof answer.body === 'string' && /^\s*[[{]/.test(answer.body)) {
		return {
			ok: false,
			failure: invalidResponse(answer.status, `The Bitrix24 portal answered HTTP ${answer.status} with JSON that breaks off`, true),
		};
	}
	return {
		ok: false,
		failure: invalidResponse(answer.status, `The Bitrix24 portal answered HTTP ${answer.status} with a body that is not REST JSON`),
	};
}

/**
 * True when an answer tells that the OAuth2 access token it went with has expired: n8n could not renew
 * it, or the portal refused it as expired (`expired_token`).
 */
export function metExpiredToken(answer: HttpAnswer): boolean {
	if (answer.refreshFailed) return true;
	const body = answer.status === 401 ? parseBody(answer.body) : undefined;
	return isRecord(body) && body.error === 'expired_token';
}

/** The failure of a command the portal's batch answer did not mention: it has no answer yet. */
export const UNANSWERED_COMMAND: Bitrix24Outcome = {
	ok: false,
	failure: invalidResponse(null, 'The Bitrix24 portal answered the batch call without this command'),
};

/** True when a `batch` answer reports failed commands (whose texts may echo a renewed token). */
export function hasCommandErrors(result: unknown): boolean {
	const errors = isRecord(result) ? asMap(result.result_error) : null;
	return errors !== null && Object.keys(errors).length > 0;
}

/**
 * Each command's outcome from a `batch` answer, by key: undefined for a command the answer does not
 * mention. Null when the answer lacks its result maps.
 */
export function readBatchEnvelope(
	result: unknown,
	keys: readonly string[],
	secrets: readonly string[],
): Map<string, Bitrix24Outcome | undefined> | null {
	const envelope = isRecord(result) ? result : null;
	const results = asMap(envelope?.result);
	const errors = asMap(envelope?.result_error);
	const times = asMap(envelope?.result_time) ?? {};
	const nexts = asMap(envelope?.result_next) ?? {};
	if (results === null || errors === null) return null;
	const byKey = new Map<string, Bitrix24Outcome | undefined>();
	for (const key of keys) {
		const error = errors[key];
		if (hasErrorCode(error)) {
			const failure = fromBitrixError(error, null, secrets);
			// The batch's own status says nothing about one command; keep only a status the command carries.
			const status = Number(error.status);
			failure.httpCode = Number.isInteger(status) && status > 0 ? status : null;
			byKey.set(key, { ok: false, failure, time: isRecord(times[key]) ? (times[key] as IDataObject) : null });
		} else if (Object.prototype.hasOwnProperty.call(results, key)) {
			const time = isRecord(times[key]) ? (times[key] as IDataObject) : null;
			byKey.set(key, { ok: true, result: results[key], time, httpCode: null, ...nextOf(nexts[key]) });
		} else {
			byKey.set(key, undefined);
		}
	}
	return byKey;
}

/** The REST method a batch command calls: the part before its query string. */
export function commandMethod(command: string): string {
	const query = command.indexOf('?');
	return query < 0 ? command : command.slice(0, query);
}
