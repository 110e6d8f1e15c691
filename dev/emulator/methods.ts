// The REST methods the portal answers, and `batch`, which runs several of them in one request.
import { errors, RestError } from './errors';
import type { Caller } from './errors';
import type { PortalFaults } from './faults';
import type { Limits } from './limits';
import { nowSeconds } from './limits';
import { isGiven, isRecord, isTruthyFlag, normalizeMethodName, positiveId, withoutAuth } from './params';
import { parsePhpQuery } from './php';
import { LegacyInvoices } from './invoices';
import { PayMethods } from './pay';
import { PaySystemAdmin } from './paySystemAdmin';
import { listPaySystems } from './paySystemList';
import { profileFor } from './seed';
import type { PaySystem } from './seed';
import { PaymentBook, assertRestHandler } from './payments';
import { SaleStore } from './store';
import type { PortalOptions } from './types';

const MAX_BATCH_COMMANDS = 50;

export interface MethodContext {
	/** The call's parameters, `auth` left out. */
	params: Record<string, unknown>;
	caller: Caller;
	/** Seconds of processing this call reports; batch raises it to the sum of its commands. */
	processing: number;
	/** What batch counts of its commands. */
	commands: BatchCounts;
}

/** The commands a batch got to (those that failed included), and those refused for the run-time budget. */
export interface BatchCounts {
	run: number;
	operatingLimited: number;
}

export interface MethodDefinition {
	/** The scope a caller needs, or null for a method every caller may call. */
	scope: string | null;
	/** The method's `result`; a RestError it throws (see errors.ts) is the error reply. */
	run(context: MethodContext): unknown;
}

/** A call's answer; a `batch` call's also says what it counted of its commands. */
export type CallOutcome =
	| { ok: true; result: unknown; time: Record<string, unknown>; next?: number; total?: number; commands?: BatchCounts }
	| { ok: false; error: RestError; time: Record<string, unknown>; commands?: BatchCounts };

/** What a list method returns: one page of its result, where the next page starts, and the total. */
export class Page {
	constructor(
		readonly result: unknown[],
		readonly total: number,
		readonly next?: number,
	) {}
}

/** A list answer's `next` and `total`, beside its `result`. */
export function pageFields(outcome: { next?: number; total?: number }): Record<string, number> {
	return {
		...(outcome.next === undefined ? {} : { next: outcome.next }),
		...(outcome.total === undefined ? {} : { total: outcome.total }),
	};
}

export class RestMethods {
	/** False answers `batch` with ERROR_BATCH_METHOD_NOT_ALLOWED (Portal.setOptions changes it). */
	batchAllowed: boolean;
	/** Methods refused inside `batch`, by their lower-case names (Portal.setOptions changes it). */
	methodsNotInBatch: Set<string>;
	/** The portal's sale data: handlers, pay systems, settings, canceled orders. */
	readonly store = new SaleStore();
	readonly payments: PaymentBook;
	readonly invoices: LegacyInvoices;
	readonly pay: PayMethods;
	private readonly admin: PaySystemAdmin;
	private readonly methods: Record<string, MethodDefinition>;

	constructor(
		options: PortalOptions,
		private readonly limits: Limits,
		private readonly faults: PortalFaults,
	) {
		this.batchAllowed = options.batchAllowed ?? true;
		this.methodsNotInBatch = new Set((options.methodsNotInBatch ?? []).map((name) => name.toLowerCase()));
		this.payments = new PaymentBook(options.maxEntityId ?? 100000, options.paymentsPerEntity ?? 2, this.store);
		this.invoices = new LegacyInvoices(options.maxInvoiceId ?? 100000, new Set(options.missingInvoiceIds ?? [404]));
		this.pay = new PayMethods(this.store, this.payments, this.invoices);
		this.admin = new PaySystemAdmin(this.store);
		this.methods = this.defineMethods();
	}

	/**
	 * The method table, by the lower-case name a caller uses. A new method is one more entry: the scope
	 * it needs and a `run` that returns its result or throws a RestError. The `methods` method lists
	 * the table; batch, limits and the time object apply to every entry.
	 */
	private defineMethods(): Record<string, MethodDefinition> {
		const methods: Record<string, MethodDefinition> = {
			'sale.paysystem.settings.invoice.get': {
				scope: 'pay_system',
				run: ({ params }) => this.invoiceSettings(params),
			},
			'sale.paysystem.settings.payment.get': {
				scope: 'pay_system',
				run: ({ params }) => this.payments.settings(params),
			},
			'crm.item.payment.list': {
				scope: 'crm',
				run: ({ params }) => {
					const page = this.payments.list(params);
					return new Page(page.result, page.total, page.next);
				},
			},
			'sale.paysystem.list': {
				scope: 'pay_system',
				run: ({ params, caller }) => {
					PaySystemAdmin.checkPermission(caller);
					return listPaySystems(this.store.paySystems, params);
				},
			},
			'sale.paysystem.add': { scope: 'pay_system', run: ({ params, caller }) => this.admin.addPaySystem(params, caller) },
			'sale.paysystem.update': { scope: 'pay_system', run: ({ params, caller }) => this.admin.updatePaySystem(params, caller) },
			'sale.paysystem.delete': { scope: 'pay_system', run: ({ params, caller }) => this.admin.deletePaySystem(params, caller) },
			'sale.paysystem.handler.list': { scope: 'pay_system', run: ({ caller }) => this.admin.handlerList(caller) },
			'sale.paysystem.handler.add': { scope: 'pay_system', run: ({ params, caller }) => this.admin.addHandler(params, caller) },
			'sale.paysystem.handler.update': { scope: 'pay_system', run: ({ params, caller }) => this.admin.updateHandler(params, caller) },
			'sale.paysystem.handler.delete': { scope: 'pay_system', run: ({ params, caller }) => this.admin.deleteHandler(params, caller) },
			'sale.paysystem.settings.get': { scope: 'pay_system', run: ({ params, caller }) => this.admin.getSettings(params, caller) },
			'sale.paysystem.settings.update': { scope: 'pay_system', run: ({ params, caller }) => this.admin.updateSettings(params, caller) },
			'sale.paysystem.pay.payment': { scope: 'pay_system', run: ({ params, caller }) => this.pay.payPayment(params, caller) },
			'sale.paysystem.pay.invoice': { scope: 'pay_system', run: ({ params, caller }) => this.pay.payInvoice(params, caller) },
			'sale.payment.get': { scope: 'sale', run: ({ params, caller }) => this.pay.getPayment(params, caller) },
			'crm.invoice.get': { scope: 'crm', run: ({ params }) => this.invoices.get(params) },
			scope: {
				scope: null,
				run: ({ caller }) => [...caller.scopes],
			},
			profile: {
				scope: null,
				run: ({ caller }) => profileFor(caller.userId, caller.admin),
			},
			'user.current': {
				scope: 'user',
				run: ({ caller }) => ({ ...profileFor(caller.userId, caller.admin), ACTIVE: true, EMAIL: caller.admin ? 'anna.admin@example.com' : 'max.manager@example.com' }),
			},
			methods: {
				scope: null,
				run: ({ caller }) =>
					Object.entries(methods)
						.filter(([, definition]) => definition.scope === null || caller.scopes.includes(definition.scope))
						.map(([name]) => name),
			},
			batch: {
				scope: null,
				run: (context) => this.runBatch(context),
			},
		};
		return methods;
	}

	/** Runs one REST method for an authenticated caller; the same path serves single calls and batch commands. */
	call(method: string, params: Record<string, unknown>, caller: Caller, inBatch: boolean, startedAt = nowSeconds()): CallOutcome {
		const context: MethodContext = { params, caller, processing: 0, commands: { run: 0, operatingLimited: 0 } };
		const counts = method === 'batch' ? { commands: context.commands } : {};
		try {
			const definition = Object.prototype.hasOwnProperty.call(this.methods, method) ? this.methods[method] : undefined;
			if (definition === undefined) {
				throw errors.methodNotFound();
			}
			if (definition.scope !== null && !caller.scopes.includes(definition.scope)) {
				throw errors.insufficientScope();
			}
			if (inBatch && (method === 'batch' || this.methodsNotInBatch.has(method))) {
				throw errors.batchNotAllowed();
			}
			if (method !== 'batch') {
				context.processing = this.limits.charge(method);
			}
			const result = definition.run(context);
			const time = this.limits.timeObject(startedAt, method, context.processing);
			if (result instanceof Page) return { ok: true, result: result.result, time, next: result.next, total: result.total };
			return { ok: true, result, time, ...counts };
		} catch (error) {
			const restError = error instanceof RestError ? error : errors.internal();
			const time = this.limits.timeObject(startedAt, method, context.processing, restError.operatingResetAt);
			return { ok: false, error: restError, time, ...counts };
		}
	}

	private invoiceSettings(params: Record<string, unknown>): Record<string, unknown> {
		const paySystemIdParam = params.PAY_SYSTEM_ID;
		const handlerParam = params.BX_REST_HANDLER;
		let paySystem: PaySystem | undefined;
		if (isGiven(paySystemIdParam)) {
			paySystem = this.store.paySystem(positiveId(paySystemIdParam));
			if (paySystem === undefined) {
				throw errors.checkFailure('Pay system not found');
			}
			// The same check sale.paysystem.settings.payment.get makes: a built-in handler's settings are not for REST.
			assertRestHandler(this.store, paySystem.ACTION_FILE);
		} else if (isGiven(handlerParam)) {
			const code = typeof handlerParam === 'string' || typeof handlerParam === 'number' ? String(handlerParam) : null;
			if (code === null || this.store.handlerByCode(code) === undefined) {
				throw errors.checkFailure('Handler not found');
			}
			paySystem = this.store.paySystems.filter((item) => item.ACTION_FILE === code).sort((left, right) => left.ID - right.ID)[0];
			if (paySystem === undefined) {
				throw errors.paySystemNotFound();
			}
		} else {
			throw errors.checkFailure('PAY_SYSTEM_ID or BX_REST_HANDLER is required');
		}
		const invoiceId = positiveId(params.INVOICE_ID);
		if (!this.invoices.exists(invoiceId)) {
			throw errors.invoiceNotFound();
		}
		return this.store.values(paySystem, 0, invoiceId);
	}

	/** `cmd` holds up to 50 commands, each `method?query`; `halt` stops at the first error. A drawn mix may fault commands. */
	private runBatch(context: MethodContext): Record<string, unknown> {
		if (!this.batchAllowed) {
			throw errors.batchNotAllowed();
		}
		const commandSource = context.params.cmd;
		const commands: Array<[string, unknown]> = Array.isArray(commandSource)
			? commandSource.map((command, index) => [String(index), command])
			: isRecord(commandSource)
				? Object.entries(commandSource)
				: [];
		if (commands.length > MAX_BATCH_COMMANDS) {
			throw errors.batchTooLong();
		}
		const halt = isTruthyFlag(context.params.halt);
		const results: Record<string, unknown> = {};
		const resultErrors: Record<string, unknown> = {};
		const resultTimes: Record<string, unknown> = {};
		const resultNext: Record<string, unknown> = {};
		const resultTotal: Record<string, unknown> = {};
		const draw = this.faults.draw;
		for (const [key, command] of commands) {
			context.commands.run += 1;
			let outcome: CallOutcome;
			if (typeof command !== 'string') {
				outcome = { ok: false, error: errors.methodNotFound(), time: {} };
			} else {
				const queryStart = command.indexOf('?');
				const method = normalizeMethodName(queryStart < 0 ? command : command.slice(0, queryStart));
				const commandParams = withoutAuth(parsePhpQuery(queryStart < 0 ? '' : command.slice(queryStart + 1)));
				const fault = draw !== null && draw.applies(method) ? draw.nextCommandFault() : null;
				if (fault !== null) {
					this.faults.commandsFaulted += 1;
					if (fault === 'commandMissing') continue;
					const error = fault === 'commandQueryLimit' ? errors.queryLimit() : errors.internal();
					resultErrors[key] = { error: error.code, error_description: error.description };
					continue;
				}
				outcome = this.call(method, commandParams, context.caller, true);
				context.processing += Number(outcome.time.processing ?? 0);
			}
			if (outcome.ok) {
				results[key] = outcome.result;
				resultTimes[key] = outcome.time;
				if (outcome.next !== undefined) resultNext[key] = outcome.next;
				if (outcome.total !== undefined) resultTotal[key] = outcome.total;
			} else {
				resultErrors[key] = { error: outcome.error.code, error_description: outcome.error.description };
				if (outcome.error.code === 'OPERATION_TIME_LIMIT') context.commands.operatingLimited += 1;
				if (halt) {
					break;
				}
			}
		}
		return { result: results, result_error: resultErrors, result_total: resultTotal, result_next: resultNext, result_time: resultTimes };
	}
}
