// How the editor tests keep their pictures (screenshots.ts), on pictures made here: no browser, no n8n.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { PNG } from 'pngjs';

import { comparePictures, keepPicture } from './screenshots';

/** A 200 x 100 white picture with a black bar of `barWidth` x 10 pixels at (20, 20). */
function picture(barWidth: number, width = 200): Buffer {
	const image = new PNG({ width, height: 100 });
	image.data.fill(255);
	for (let y = 20; y < 30; y++) for (let x = 20; x < 20 + barWidth; x++) image.data.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
	return PNG.sync.write(image);
}

let folder: string;
let file: string;
const options = () => ({ update: false, changedFolder: path.join(folder, 'changed'), updateCommand: 'UPDATE_SCREENSHOTS=1 npm run e2e -- test/e2e/browser' });

beforeEach(() => {
	folder = mkdtempSync(path.join(tmpdir(), 'bx24-pictures-'));
	file = path.join(folder, 'stored', 'screen.png');
});

afterEach(() => {
	rmSync(folder, { recursive: true, force: true });
});

test('counts the changed pixels, and none in a region left out', () => {
	expect(comparePictures(picture(50), picture(50))).toMatchObject({ changed: 0, pixels: 20_000 });
	expect(comparePictures(picture(50), picture(60)).changed).toBe(100);
	expect(comparePictures(picture(50), picture(60), [{ x: 60, y: 0, width: 40.5, height: 100 }]).changed).toBe(0);
	expect(comparePictures(picture(50), picture(50, 201)).changed).toBe(20_100);
});

test('stores a picture that is not there yet', () => {
	expect(keepPicture(file, picture(50), options())).toBe('new');
	expect(readFileSync(file)).toEqual(picture(50));
});

test('leaves the stored picture alone when the screen is the same, also with a pixel or two of noise', () => {
	const stored = picture(50);
	keepPicture(file, stored, options());
	expect(keepPicture(file, picture(50), options())).toBe('same');
	// One pixel of 20,000 is within the 0.01 % of noise allowed (2 pixels here).
	const noisy = PNG.sync.read(picture(50));
	noisy.data.fill(0, (90 * 200 + 150) * 4, (90 * 200 + 150) * 4 + 3);
	expect(keepPicture(file, PNG.sync.write(noisy), options())).toBe('same');
	expect(readFileSync(file)).toEqual(stored);
	expect(existsSync(path.join(folder, 'changed'))).toBe(false);
});

test('fails on a changed screen, saying how to store the new picture, and keeps the stored one', () => {
	keepPicture(file, picture(50), options());
	expect(() => keepPicture(file, picture(60), options())).toThrow(
		`The screen "screen" is not the one in ${file}: 100 of 20000 pixels changed, more than the 2 that pixel noise may account for. ` +
			`The picture taken is ${path.join(folder, 'changed', 'screen.png')}, its changes in red in ${path.join(folder, 'changed', 'screen.diff.png')}. ` +
			'If the screen changed on purpose, store the new pictures with: UPDATE_SCREENSHOTS=1 npm run e2e -- test/e2e/browser',
	);
	expect(readFileSync(file)).toEqual(picture(50));
	expect(readFileSync(path.join(folder, 'changed', 'screen.png'))).toEqual(picture(60));
	expect(existsSync(path.join(folder, 'changed', 'screen.diff.png'))).toBe(true);
	expect(() => keepPicture(file, picture(50, 201), options())).toThrow('the picture has another size');
});

test('stores a changed screen when asked to (UPDATE_SCREENSHOTS=1), and only then', () => {
	keepPicture(file, picture(50), options());
	expect(keepPicture(file, picture(50), { ...options(), update: true })).toBe('same');
	expect(keepPicture(file, picture(60), { ...options(), update: true })).toBe('updated');
	expect(readFileSync(file)).toEqual(picture(60));
});
