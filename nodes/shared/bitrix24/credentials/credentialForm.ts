import type { INodeProperties } from 'n8n-workflow';

/** The notice at the top of a credential form: which Bitrix24 screen to visit and what to copy from it. */
export function setupNotice(text: string): INodeProperties {
	return { displayName: text, name: 'setupNotice', type: 'notice', default: '' };
}

/** A field the form does not show: a fixed setting of n8n's OAuth2 flow. */
export function hiddenField(displayName: string, name: string, value: string): INodeProperties {
	return { displayName, name, type: 'hidden', default: value };
}
