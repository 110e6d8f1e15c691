// The editor tests' pictures (docs/screenshots/ for n8n 2.41.1, the README's): each test compares the
// screen it reached with the stored picture, and a changed screen fails it. A stored picture is
// written only when there is none yet, or on request (UPDATE_SCREENSHOTS=1), so a run leaves the
// pictures alone unless the screen changed. Two screenshots of one screen differ by a few anti-aliased
// pixels at most; pixelmatch does not count those, nor a colour that moved less than its threshold.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

/** How far a pixel's colour may move before it counts as changed (pixelmatch's threshold, from 0 to 1). */
const COLOUR_THRESHOLD = 0.1;
/** The share of a picture's pixels that may change and still show the same screen: 130 of 1440 x 900. */
const CHANGED_SHARE_ALLOWED = 0.0001;

/** A rectangle of the picture, in its pixels (the viewport's CSS pixels at a device scale of 1). */
export interface Region {
	x: number;
	y: number;
	width: number;
	height: number;
}

export interface PictureDifference {
	/** The pixels that changed; every pixel when the sizes differ. */
	changed: number;
	/** The pixels of the picture taken. */
	pixels: number;
	/** The picture taken, faded, with the changed pixels in red; none when the sizes differ. */
	diff?: Buffer;
}

/** Blanks `regions` of a picture's RGBA data in place. */
function blank(image: PNG, regions: Region[]): void {
	for (const region of regions) {
		const left = Math.max(0, Math.floor(region.x));
		const top = Math.max(0, Math.floor(region.y));
		const right = Math.min(image.width, Math.ceil(region.x + region.width));
		const bottom = Math.min(image.height, Math.ceil(region.y + region.height));
		for (let y = top; y < bottom; y++) image.data.fill(0, (y * image.width + left) * 4, (y * image.width + right) * 4);
	}
}

/** Compares two PNG pictures, leaving out `ignored` regions (what differs from run to run by design). */
export function comparePictures(stored: Buffer, taken: Buffer, ignored: Region[] = []): PictureDifference {
	const before = PNG.sync.read(stored);
	const after = PNG.sync.read(taken);
	const pixels = after.width * after.height;
	if (before.width !== after.width || before.height !== after.height) return { changed: pixels, pixels };
	blank(before, ignored);
	blank(after, ignored);
	const diff = new PNG({ width: after.width, height: after.height });
	const changed = pixelmatch(before.data, after.data, diff.data, after.width, after.height, { threshold: COLOUR_THRESHOLD });
	return { changed, pixels, diff: PNG.sync.write(diff) };
}

export interface KeepOptions {
	/** UPDATE_SCREENSHOTS=1: store the picture taken when the screen changed. */
	update: boolean;
	/** Regions to leave out of the comparison. */
	ignored?: Region[];
	/** Where a changed screen's picture and its diff go, for a look. */
	changedFolder: string;
	/** The command that stores the new pictures, for the failure message. */
	updateCommand: string;
}

/**
 * Checks a picture taken against the one stored in `file`: stores it when there is none ('new'), or
 * when asked to and the screen changed ('updated'); keeps the stored one when the screen is the same
 * ('same'). A changed screen throws, saying what changed and how to store the new picture.
 */
export function keepPicture(file: string, taken: Buffer, options: KeepOptions): 'new' | 'same' | 'updated' {
	if (!existsSync(file)) {
		mkdirSync(path.dirname(file), { recursive: true });
		writeFileSync(file, taken);
		return 'new';
	}
	const { changed, pixels, diff } = comparePictures(readFileSync(file), taken, options.ignored);
	if (changed === 0) return 'same';
	if (options.update) {
		writeFileSync(file, taken);
		return 'updated';
	}
	const allowed = Math.floor(pixels * CHANGED_SHARE_ALLOWED);
	if (changed <= allowed) return 'same';
	const name = path.basename(file, '.png');
	mkdirSync(options.changedFolder, { recursive: true });
	const takenFile = path.join(options.changedFolder, `${name}.png`);
	writeFileSync(takenFile, taken);
	const diffFile = path.join(options.changedFolder, `${name}.diff.png`);
	if (diff !== undefined) writeFileSync(diffFile, diff);
	throw new Error(
		`The screen "${name}" is not the one in ${file}: ` +
			(diff === undefined ? 'the picture has another size' : `${changed} of ${pixels} pixels changed, more than the ${allowed} that pixel noise may account for`) +
			`. The picture taken is ${takenFile}${diff === undefined ? '' : `, its changes in red in ${diffFile}`}. ` +
			`If the screen changed on purpose, store the new pictures with: ${options.updateCommand}`,
	);
}
