/** What the built node offers under Options, read from dist without starting n8n's engine. */
import { loadPackage } from '../harness/package';

const NODE_TYPE_NAME = 'bitrix24PaySystemInvoiceSettings';

export function offeredNodeOptions(): string[] {
	const node = Object.values(loadPackage().nodes).find((type) => type.description.name === NODE_TYPE_NAME);
	const options = node?.description.properties.find((property) => property.name === 'options');
	return (options?.options ?? []).map((option) => option.name);
}
