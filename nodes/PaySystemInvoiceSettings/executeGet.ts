import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { AuthenticationMethod, Bitrix24Failure, Bitrix24Outcome, ClientSettings } from '../shared/bitrix24/client';
import { Bitrix24Client, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, MIN_TIMEOUT_MS, invalidResponse } from '../shared/bitrix24/client';
import { LOCAL_ERROR_CODES, describeErrorCode } from '../shared/bitrix24/errorTable';
import { rateLimitOf } from '../shared/bitrix24/pacing';
import { DEFAULT_MAX_RETRIES, DEFAULT_RETRY_POLICY, MAX_RETRIES_LIMIT } from '../shared/bitrix24/retryPolicy';
import type { InvoiceSettingsRequest } from './invoiceSettings';
import {
	METHOD,
	batchCommand,
	methodParams,
	parameterReader,
	planItem,
	toErrorItem,
	toSettings,
	toSuccessItems,
} from './invoiceSettings';

/** Bitrix24 runs at most 50 commands in one `batch` call. */
export const BATCH_LIMIT = 50;

type ItemOutcome = { items: INodeExecutionData[] } | { failure: Bitrix24Failure; invoiceId: number | null };

function toItemOutcome(request: InvoiceSettingsRequest, outcome: Bitrix24Outcome | undefined): ItemOutcome {
	const failure = (f: Bitrix24Failure): ItemOutcome => ({ failure: f, invoiceId: request.invoiceId });
	if (outcome === undefined) {
		return failure(invalidResponse(null, 'The Bitrix24 portal answered the batch call without this command'));
	}
	if (!outcome.ok) return failure(outcome.failure);
	const settings = toSettings(outcome.result);
	if (settings === null) {
		return failure(invalidResponse(200, 'The Bitrix24 portal sent settings that are not an object'));
	}
	return { items: toSuccessItems(request, settings, outcome.time) };
}

/** Groups the valid requests, in input order, into the units sent together. */
function planUnits(requests: InvoiceSettingsRequest[], useBatch: boolean): InvoiceSettingsRequest[][] {
	const size = useBatch ? BATCH_LIMIT : 1;
	const units: InvoiceSettingsRequest[][] = [];
	for (let start = 0; start < requests.length; start += size) units.push(requests.slice(start, start + size));
	return units;
}

/** True when an AI agent runs the node as its tool: n8n gives the tool variant the type name + "Tool". */
function runsAsTool(context: IExecuteFunctions): boolean {
	return context.getNode().type.endsWith('Tool');
}

function stopError(context: IExecuteFunctions, itemIndex: number, outcome: { failure: Bitrix24Failure; invoiceId: number | null }) {
	const { failure, invoiceId } = outcome;
	const description = describeErrorCode(failure.errorCode).hint;
	// The run log shows only the message: it names the item as well as the code. An agent reads only
	// the message too, and calls with one item at a time: it gets the invoice and the hint instead.
	const message = runsAsTool(context)
		? `${failure.message} [${invoiceId === null ? 'no valid invoice ID' : `invoice ${invoiceId}`}]. ${description}`
		: `${failure.message} [item ${itemIndex}${invoiceId === null ? '' : `, invoice ${invoiceId}`}]`;
	if (failure.errorCode === LOCAL_ERROR_CODES.invalidParameter) {
		return new NodeOperationError(context.getNode(), message, { itemIndex, description });
	}
	const details: JsonObject = {
		errorCode: failure.errorCode,
		errorDescription: failure.errorDescription,
		httpCode: failure.httpCode,
		invoiceId,
	};
	return new NodeApiError(context.getNode(), details, {
		message,
		description,
		httpCode: failure.httpCode === null ? undefined : String(failure.httpCode),
		itemIndex,
	});
}

/** A whole number from an option, held within its range; the default when it is not a number. */
function boundedOption(value: unknown, fallback: number, min: number, max: number): number {
	const requested = Number(value ?? fallback);
	return Number.isFinite(requested) ? Math.min(max, Math.max(min, Math.floor(requested))) : fallback;
}

/** The run's pacing, retry and timeout settings, from the first item's options. */
export function clientSettingsOf(options: IDataObject): ClientSettings {
	return {
		rateLimit: rateLimitOf(options.rateLimit ?? 'standard'),
		retryPolicy: {
			...DEFAULT_RETRY_POLICY,
			maxRetries: boundedOption(options.maxRetries, DEFAULT_MAX_RETRIES, 0, MAX_RETRIES_LIMIT),
		},
		timeoutMs: boundedOption(options.timeout, DEFAULT_TIMEOUT_MS, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS),
	};
}

/**
 * Reads the settings for every input item: plans each item, sends the valid ones (in `batch` calls
 * of up to 50 unless batching is off or the portal refuses it), and returns one result per item in
 * input order. Without "continue on fail", the first failing item in input order stops the run.
 */
export async function executeGet(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const inputItems = context.getInputData();
	const authentication = context.getNodeParameter('authentication', 0, 'webhook') as AuthenticationMethod;
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const client = await Bitrix24Client.open(context, authentication, clientSettingsOf(options));
	const continueOnFail = context.continueOnFail();

	const outcomes: Array<ItemOutcome | undefined> = new Array(inputItems.length);
	const requests: InvoiceSettingsRequest[] = [];
	const read = parameterReader(context);
	for (let itemIndex = 0; itemIndex < inputItems.length; itemIndex++) {
		const planned = planItem(context, itemIndex, read);
		if ('invalid' in planned) outcomes[itemIndex] = planned.invalid;
		else requests.push(planned.request);
	}

	// Everything below `checkedUpTo` is decided and free of failures that should stop the run.
	let checkedUpTo = 0;
	const stopOnFailureBefore = (end: number) => {
		if (continueOnFail) return;
		for (; checkedUpTo < end; checkedUpTo++) {
			const outcome = outcomes[checkedUpTo];
			if (outcome !== undefined && 'failure' in outcome) throw stopError(context, checkedUpTo, outcome);
		}
	};

	let useBatch = options.batch !== false;
	const callSingly = async (unit: InvoiceSettingsRequest[]) => {
		for (const request of unit) {
			outcomes[request.itemIndex] = toItemOutcome(request, await client.call(METHOD, methodParams(request)));
		}
	};

	for (const unit of planUnits(requests, useBatch)) {
		stopOnFailureBefore(unit[0].itemIndex);
		if (!useBatch || unit.length === 1) {
			await callSingly(unit);
		} else {
			const keys = unit.map((request, position) => [`i${position}`, request] as const);
			const answer = await client.batch(keys.map(([key, request]) => [key, batchCommand(request)]));
			if (answer.ok) {
				for (const [key, request] of keys) outcomes[request.itemIndex] = toItemOutcome(request, answer.commands.get(key));
			} else if (answer.failure.errorCode === 'ERROR_BATCH_METHOD_NOT_ALLOWED') {
				// A portal that refuses `batch` gets the same calls one by one, for the rest of the run too.
				useBatch = false;
				await callSingly(unit);
			} else {
				for (const request of unit) outcomes[request.itemIndex] = { failure: answer.failure, invoiceId: request.invoiceId };
			}
		}
		stopOnFailureBefore(unit[unit.length - 1].itemIndex + 1);
	}
	stopOnFailureBefore(inputItems.length);

	const output: INodeExecutionData[] = [];
	outcomes.forEach((outcome, itemIndex) => {
		if (outcome === undefined) return;
		if ('items' in outcome) output.push(...outcome.items);
		else output.push(toErrorItem(itemIndex, outcome.invoiceId, outcome.failure));
	});
	return [output];
}
