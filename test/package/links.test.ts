import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Every relative link in README.md and docs/*.md leads somewhere: the file it names exists, and its
// anchor (#fragment, within the page or on another page) is a heading of that page as GitHub names
// it, or an <a id> the page sets. Links with a scheme (https:, mailto:) are not followed.

const ROOT = path.resolve(__dirname, '../..');

/** The files the check reads, by their path from the root (`docs/limits.md`); `read` gives undefined for none. */
interface Repository {
	read(file: string): string | undefined;
	exists(file: string): boolean;
}

const FENCE = /^ {0,3}(```|~~~)/;

/** The lines of `markdown` outside fenced code blocks, numbered from 1. */
function proseLines(markdown: string): Array<{ line: number; text: string }> {
	const lines: Array<{ line: number; text: string }> = [];
	let fenced = false;
	markdown.split('\n').forEach((text, index) => {
		if (FENCE.test(text)) fenced = !fenced;
		else if (!fenced) lines.push({ line: index + 1, text });
	});
	return lines;
}

/**
 * GitHub's anchor for a heading (github-slugger, as github.com uses it): the heading's text without
 * HTML tags and with links reduced to their text, lowercased, every character that is not a letter,
 * mark, digit, `_`, `-` or space removed, and each space turned into `-`.
 */
function githubSlug(heading: string): string {
	return heading
		.replace(/<[^>]*>/g, '')
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
		.replace(/ /g, '-');
}

/** The anchors a page offers: its headings' slugs in order (a repeated slug gets `-1`, `-2`, ...), then its `<a id>`/`<a name>` targets. */
function anchorsOf(markdown: string): string[] {
	const taken = new Map<string, number>();
	const anchors: string[] = [];
	for (const { text } of proseLines(markdown)) {
		const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text);
		if (heading === null) continue;
		const base = githubSlug(heading[1]);
		let slug = base;
		while (taken.has(slug)) {
			const count = taken.get(base)! + 1;
			taken.set(base, count);
			slug = `${base}-${count}`;
		}
		taken.set(slug, 0);
		anchors.push(slug);
	}
	for (const { text } of proseLines(markdown)) {
		for (const match of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.push(match[1]);
	}
	return anchors;
}

interface Link {
	page: string;
	line: number;
	target: string;
}

/** The relative links of a page: inline links and images, reference definitions, and href/src attributes, outside code. */
function relativeLinksOf(page: string, markdown: string): Link[] {
	const links: Link[] = [];
	for (const { line, text } of proseLines(markdown)) {
		const prose = text.replace(/(`+)[\s\S]*?\1/g, '');
		const targets = [
			...[...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]),
			...[...prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/g)].map((match) => match[1]),
			...[...prose.matchAll(/\b(?:href|src)="([^"]+)"/g)].map((match) => match[1]),
		];
		for (const target of targets) {
			if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
			links.push({ page, line, target });
		}
	}
	return links;
}

/** `page:line: target (what is wrong)` for every relative link of `pages` that leads nowhere. */
function brokenLinks(pages: string[], repository: Repository): string[] {
	const broken: string[] = [];
	for (const page of pages) {
		for (const { line, target } of relativeLinksOf(page, repository.read(page) ?? '')) {
			const hash = target.indexOf('#');
			const file = hash === -1 ? target : target.slice(0, hash);
			const fragment = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
			const destination = file === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), decodeURIComponent(file)));
			const where = `${page}:${line}: ${target}`;
			if (destination.startsWith('../') || !repository.exists(destination)) {
				broken.push(`${where} (no file ${destination})`);
			} else if (fragment !== null) {
				const text = destination.endsWith('.md') ? repository.read(destination) : undefined;
				if (text === undefined) broken.push(`${where} (an anchor in ${destination}, which is not a Markdown page)`);
				else if (!anchorsOf(text).includes(fragment)) broken.push(`${where} (no heading #${fragment} in ${destination})`);
			}
		}
	}
	return broken;
}

const onDisk: Repository = {
	read: (file) => (existsSync(path.join(ROOT, file)) ? readFileSync(path.join(ROOT, file), 'utf8') : undefined),
	exists: (file) => existsSync(path.join(ROOT, file)),
};

const inMemory = (files: Record<string, string>): Repository => ({
	read: (file) => files[file],
	exists: (file) => file in files,
});

const PAGES = [
	'README.md',
	...readdirSync(path.join(ROOT, 'docs'))
		.filter((name) => name.endsWith('.md'))
		.sort()
		.map((name) => `docs/${name}`),
];

describe('GitHub heading anchors', () => {
	it('lowercases, drops punctuation but - and _, and turns spaces into -', () => {
		expect(githubSlug('Limits, pacing and retries')).toBe('limits-pacing-and-retries');
		expect(githubSlug('Legacy or smart invoice: which operation?')).toBe('legacy-or-smart-invoice-which-operation');
		expect(githubSlug('What differs on n8n 1.x for a user')).toBe('what-differs-on-n8n-1x-for-a-user');
		expect(githubSlug('Why n8n-workflow is not installed')).toBe('why-n8n-workflow-is-not-installed');
		expect(githubSlug('Queue mode (workers)')).toBe('queue-mode-workers');
		expect(githubSlug('`getForCrmItem`')).toBe('getforcrmitem');
		expect(githubSlug('snake_case and  two spaces')).toBe('snake_case-and--two-spaces');
		expect(githubSlug('Größe & Ümlaut')).toBe('größe--ümlaut');
	});

	it('reads a heading without its HTML and with its links as text', () => {
		expect(githubSlug('<a id="error-item"></a>The error item')).toBe('the-error-item');
		expect(githubSlug('See [the contract](docs/contract.md) first')).toBe('see-the-contract-first');
	});

	it('numbers repeated headings, counts <a id> targets, and skips code blocks', () => {
		const page = ['# Notes', '## Notes', '```sh', '# not a heading', '```', '### Notes', '## Notes-1', '<a id="custom"></a>Text'].join('\n');
		expect(anchorsOf(page)).toEqual(['notes', 'notes-1', 'notes-2', 'notes-1-1', 'custom']);
	});
});

describe('The link check', () => {
	const files = {
		'README.md': [
			'# Title',
			'## Set up',
			'[ok](#set-up) [ok](docs/guide.md) [ok](docs/guide.md#in-depth) ![ok](docs/picture.png) [web](https://example.com/#x)',
			'[missing page](docs/gone.md) [missing anchor](#setup) [wrong anchor](docs/guide.md#set-up) `[in code](nowhere.md)`',
			'```md',
			'[in a block](nowhere.md)',
			'```',
			'[reference]: docs/also-gone.md',
		].join('\n'),
		'docs/guide.md': ['# Guide', '## In depth', '[back](../README.md#set-up) [up too far](../../x.md) [into a picture](picture.png#top)'].join('\n'),
		'docs/picture.png': '',
	};

	it('reports every link to a missing file or anchor, with its page and line, and nothing else', () => {
		expect(brokenLinks(['README.md', 'docs/guide.md'], inMemory(files))).toEqual([
			'README.md:4: docs/gone.md (no file docs/gone.md)',
			'README.md:4: #setup (no heading #setup in README.md)',
			'README.md:4: docs/guide.md#set-up (no heading #set-up in docs/guide.md)',
			'README.md:8: docs/also-gone.md (no file docs/also-gone.md)',
			'docs/guide.md:3: ../../x.md (no file ../x.md)',
			'docs/guide.md:3: picture.png#top (an anchor in docs/picture.png, which is not a Markdown page)',
		]);
	});
});

describe('The README and the docs pages', () => {
	it('are the pages checked', () => {
		expect(PAGES).toEqual([
			'README.md',
			'docs/ai-tool.md',
			'docs/architecture.md',
			'docs/compatibility.md',
			'docs/contract.md',
			'docs/development.md',
			'docs/installation.md',
			'docs/limits.md',
			'docs/pay-system.md',
		]);
	});

	it('have no relative link to a missing file or anchor', () => {
		expect(brokenLinks(PAGES, onDisk)).toEqual([]);
	});

	it('link from the README to every docs page, and across pages to their headings', () => {
		const readme = relativeLinksOf('README.md', onDisk.read('README.md')!).map((link) => link.target);
		for (const page of PAGES.slice(1)) expect(readme.filter((target) => target.split('#')[0] === page)).not.toEqual([]);
		expect(readme).toEqual(
			expect.arrayContaining([
				'docs/installation.md#why-n8n-workflow-is-not-installed',
				'docs/contract.md#refresh-race',
				'docs/contract.md#errors',
				'docs/development.md#quick-start',
				'docs/screenshots/run-canvas.png',
				'#outputs',
				'#limits',
			]),
		);
	});
});
