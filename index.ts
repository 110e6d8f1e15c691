export { Bitrix24WebhookApi } from './credentials/Bitrix24WebhookApi.credentials';
export { Bitrix24OAuth2Api } from './credentials/Bitrix24OAuth2Api.credentials';
export { Bitrix24PaySystemInvoiceSettings } from './nodes/PaySystemInvoiceSettings/Bitrix24PaySystemInvoiceSettings.node';
export { Bitrix24PaySystem } from './nodes/PaySystem/Bitrix24PaySystem.node';
