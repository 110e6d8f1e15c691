// What the browser tests share: an editor as `npm start` runs it (own temp folder, free ports),
// Debian's Chromium driven by playwright-core, and the editor's sign-in page.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { chromium, selectors } from 'playwright-core';
import type { BrowserContext, Locator, Page } from 'playwright-core';

import { N8N_VERSION, NODE_TYPE, PACKAGE_ROOT, freePort } from '../../../dev/harness/n8n';
import { startEditor } from '../../../dev/playground/start';
import type { Editor } from '../../../dev/playground/start';
import { comparePictures, keepPicture } from './screenshots';
import type { Region } from './screenshots';

/** Debian's Chromium (apt-get install chromium); the tests never download a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/**
 * The README's pictures come from n8n 2.41.1; another version's go under .cache/, beside the
 * repository's. The tests compare each screen with its picture there (screenshot).
 */
export const SCREENSHOTS =
	process.env.SCREENSHOTS_DIR || (N8N_VERSION === '2.41.1' ? path.join(PACKAGE_ROOT, 'docs', 'screenshots') : path.join(PACKAGE_ROOT, '.cache', 'screenshots', `n8n-${N8N_VERSION}`));

// n8n's editor marks its elements with data-test-id.
selectors.setTestIdAttribute('data-test-id');

export interface TestEditor extends Editor {
	/** Stops n8n and the portal and removes the user folder. */
	remove(): Promise<void>;
}

/** `npm start`'s editor in a fresh temp folder on free ports. */
export async function startTestEditor(folder = mkdtempSync(path.join(tmpdir(), 'bx24-editor-'))): Promise<TestEditor> {
	try {
		const editor = await startEditor({ folder, port: await freePort(), portalPort: await freePort(), runnerPort: await freePort() });
		return {
			...editor,
			async remove() {
				try {
					await editor.stop();
				} finally {
					rmSync(folder, { recursive: true, force: true });
				}
			},
		};
	} catch (error) {
		rmSync(folder, { recursive: true, force: true });
		throw error;
	}
}

export interface Browser {
	context: BrowserContext;
	page: Page;
	close(): Promise<void>;
}

/** Chromium with a new empty profile, closed and removed by close(). */
export async function openBrowser(): Promise<Browser> {
	const profile = mkdtempSync(path.join(tmpdir(), 'bx24-chromium-'));
	let context: BrowserContext;
	try {
		context = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM,
			viewport: { width: 1440, height: 900 },
			args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		});
	} catch (error) {
		rmSync(profile, { recursive: true, force: true });
		throw error;
	}
	// The editor is slow to hydrate on a busy 2-core machine.
	context.setDefaultTimeout(60_000);
	const page = context.pages()[0] ?? (await context.newPage());
	return {
		context,
		page,
		async close() {
			try {
				await context.close();
			} finally {
				rmSync(profile, { recursive: true, force: true });
			}
		},
	};
}

/** Signs in through the editor's sign-in form, as a user does, and waits for the overview. */
export async function signInWithForm(page: Page, editor: Editor): Promise<void> {
	await page.goto(`${editor.url}/signin`);
	await page.getByTestId('emailOrLdapLoginId').locator('input').or(page.locator('input[name=emailOrLdapLoginId]')).first().fill(editor.owner.email);
	await page.getByTestId('password').locator('input').or(page.locator('input[name=password]')).first().fill(editor.owner.password);
	await page.getByTestId('form-submit-button').click();
	await page.waitForURL((url) => url.pathname.startsWith('/home'));
}

/** Opens a workflow in the editor and waits until its canvas shows `nodes` nodes. */
export async function openWorkflow(page: Page, url: string, nodes: number): Promise<void> {
	await page.goto(url);
	await page.getByTestId('canvas-node').nth(nodes - 1).waitFor();
}

/** The visible entries of an open dropdown (n8n keeps closed ones in the page, hidden). */
export function visible(page: Page, testId: string): Locator {
	return page.locator(`[data-test-id="${testId}"]:visible`);
}

/** The command that stores new pictures for this n8n line. */
const UPDATE_COMMAND = `UPDATE_SCREENSHOTS=1 ${
	N8N_VERSION === '2.41.1' ? 'npm run e2e' : N8N_VERSION === '1.123.81' ? 'npm run e2e:n8n1' : `N8N_VERSION=${N8N_VERSION} npm run e2e`
} -- test/e2e/browser`;

/**
 * Takes a screenshot every 200 ms until the screen has stayed the same for `quietMs`, so that a
 * picture shows the end of any transition (a dropdown opening, a toast leaving, the canvas fitting
 * the view, the form scrolling to the option just added, which starts a moment after the click). The
 * page is left alone in between, as it does some of that work only when idle; and its animations run
 * as they do for a user (Playwright's `animations: 'disabled'` stops that scrolling half-way). A screen
 * still changing after `timeoutMs` is taken as it is then.
 */
async function settledScreenshot(page: Page, quietMs = 500, timeoutMs = 15_000): Promise<Buffer> {
	const deadline = Date.now() + timeoutMs;
	let since = Date.now();
	let settled = await page.screenshot();
	for (;;) {
		await page.waitForTimeout(200);
		const takenAt = Date.now();
		const next = await page.screenshot();
		if (!next.equals(settled) && comparePictures(settled, next).changed > 0) {
			settled = next;
			since = takenAt;
		} else if (takenAt - since >= quietMs) {
			return next;
		}
		if (Date.now() > deadline) return next;
	}
}

/**
 * The screen as `name`.png: compared with the stored picture, which a changed screen fails (see
 * screenshots.ts). `varying` are elements whose content differs from run to run by design (such as
 * the free ports the test editor runs on): the comparison leaves out their boxes.
 */
export async function screenshot(page: Page, name: string, varying: Locator[] = []): Promise<string> {
	const file = path.join(SCREENSHOTS, `${name}.png`);
	const taken = await settledScreenshot(page);
	const ignored: Region[] = [];
	for (const locator of varying) {
		const box = await locator.boundingBox();
		if (box === null) throw new Error(`screenshot ${name}: an element to leave out is not on the screen (${String(locator)})`);
		ignored.push(box);
	}
	keepPicture(file, taken, {
		update: process.env.UPDATE_SCREENSHOTS === '1',
		ignored,
		changedFolder: path.join(PACKAGE_ROOT, '.cache', 'screenshots', `changed-n8n-${N8N_VERSION}`),
		updateCommand: UPDATE_COMMAND,
	});
	return file;
}

/** n8n's REST API as the signed-in owner (the editor's own cookie from startEditor). */
export async function rest<T>(editor: Editor, method: string, pathname: string, body?: unknown): Promise<T> {
	const response = await fetch(`${editor.server.url}/rest${pathname}`, {
		method,
		headers: { cookie: editor.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	if (!response.ok) throw new Error(`${method} /rest${pathname}: HTTP ${response.status} ${text.slice(0, 500)}`);
	return (JSON.parse(text) as { data: T }).data;
}

/** Retries `assertion` until it passes (the editor updates asynchronously); rethrows its last failure. */
export async function eventually(assertion: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			await assertion();
			return;
		} catch (error) {
			if (Date.now() > deadline) throw error;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}
}

/** The pay system IDs n8n lists for the node through a saved credential: proof that the credential works. */
export async function listPaySystems(editor: Editor, authentication: 'webhook' | 'oAuth2', credential: { id: string; name: string }): Promise<string[]> {
	const data = await rest<{ results: Array<{ value: string }> }>(editor, 'POST', '/dynamic-node-parameters/resource-locator-results', {
		path: 'parameters.paySystemId',
		methodName: 'searchPaySystems',
		nodeTypeAndVersion: { name: NODE_TYPE, version: 1 },
		currentNodeParameters: { authentication, operation: 'get', paySystemBy: 'id' },
		credentials: { [authentication === 'webhook' ? 'bitrix24WebhookApi' : 'bitrix24OAuth2Api']: credential },
	});
	return data.results.map((result) => result.value);
}

/** Closes n8n's toasts (element-plus notifications), so a screenshot shows the page, not old news. */
export async function dismissToasts(page: Page): Promise<void> {
	const close = page.locator('.el-notification .el-notification__closeBtn:visible');
	for (let round = 0; (await close.count()) > 0; round++) {
		if (round === 20) throw new Error('n8n kept showing toasts after 20 attempts to close them');
		// A toast that closed on its own since the count leaves nothing to click.
		const button = await close.first().elementHandle({ timeout: 2_000 }).catch(() => null);
		if (button === null) continue;
		try {
			await button.click({ timeout: 2_000 });
			// Until its leaving transition ends, a closed toast still counts as shown.
			await button.waitForElementState('hidden', { timeout: 5_000 });
		} catch (error) {
			if (!(error instanceof Error && error.name === 'TimeoutError')) throw error;
		} finally {
			await button.dispose();
		}
	}
}

export interface Session {
	editor: TestEditor;
	browser: Browser;
	page: Page;
}

let fileSession: Session | undefined;

/**
 * For a test file: its own editor (portal and n8n on free ports, temp folder) and Chromium, signed in
 * before the first test and all stopped and removed after the last. The fields are set in beforeAll.
 * Every module of the file that asks gets the same session (editor.test.ts holds several).
 */
export function useSignedInEditor(): Session {
	if (fileSession !== undefined) return fileSession;
	const session = {} as Session;
	fileSession = session;
	beforeAll(async () => {
		session.editor = await startTestEditor();
		session.browser = await openBrowser();
		session.page = session.browser.page;
		await signInWithForm(session.page, session.editor);
	}, 240_000);
	afterAll(async () => {
		await session.browser?.close();
		await session.editor?.remove();
	});
	return session;
}
