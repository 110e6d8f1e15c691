// The texts the editor shows for the node and its credentials, against test/contract/editorTexts.ts.
import type { ICredentialType, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { loadedCredentialType, packageNodeType } from '../../dev/harness/engine';
import { EDITOR_TEXTS } from '../contract/editorTexts';

type Row = readonly [where: string, what: string, text: string];

const PROPERTY_TEXTS = ['displayName', 'description', 'hint', 'placeholder'] as const;

/** The texts of a property, its options, its modes and, for a collection, its own properties. */
function textsOf(prefix: string, property: INodeProperties): Row[] {
	const where = prefix + property.name;
	const rows: Row[] = PROPERTY_TEXTS.flatMap((what) => (typeof property[what] === 'string' && property[what] !== '' ? [[where, what, property[what]] as const] : []));
	if (property.type === 'options') {
		for (const option of property.options as INodePropertyOptions[]) {
			for (const what of ['name', 'description', 'action'] as const) {
				if (typeof option[what] === 'string') rows.push([`${where}.${String(option.value)}`, what, option[what]]);
			}
		}
	}
	if (property.type === 'collection') rows.push(...(property.options as INodeProperties[]).flatMap((option) => textsOf(`${where}.`, option)));
	for (const mode of property.modes ?? []) {
		rows.push([`${where}#${mode.name}`, 'displayName', mode.displayName]);
		if (mode.placeholder !== undefined) rows.push([`${where}#${mode.name}`, 'placeholder', mode.placeholder]);
		for (const validation of mode.validation ?? []) {
			const message = typeof validation === 'object' ? (validation.properties as { errorMessage?: string }).errorMessage : undefined;
			if (message !== undefined) rows.push([`${where}#${mode.name}`, 'errorMessage', message]);
		}
	}
	return rows;
}

function credentialTexts(name: string, credential: ICredentialType): Row[] {
	return [
		[name, 'displayName', credential.displayName],
		[name, 'documentationUrl', String(credential.documentationUrl)],
		...credential.properties.flatMap((property) => textsOf(`${name}:`, property)),
		...credential.properties.filter((property) => property.type === 'hidden').map((property): Row => [`${name}:${property.name}`, 'default', String(property.default)]),
	];
}

describe('The editor shows the texts test/contract/editorTexts.ts gives', () => {
	it('for the node and both credentials, every one, in order', () => {
		const description = packageNodeType().description;
		const rows: Row[] = [
			['node', 'displayName', description.displayName],
			['node', 'description', description.description],
			['node', 'subtitle', String(description.subtitle)],
			['node', 'defaults.name', String(description.defaults.name)],
			...(description.hints ?? []).map((hint): Row => ['node', 'hint', hint.message]),
			...description.properties.flatMap((property) => textsOf('', property)),
			...['bitrix24WebhookApi', 'bitrix24OAuth2Api'].flatMap((name) => credentialTexts(name, loadedCredentialType(name))),
		];
		expect(rows).toEqual(EDITOR_TEXTS);
	});
});
