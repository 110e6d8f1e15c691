import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core keeps instance settings under N8N_USER_FOLDER: point it at a throwaway folder
// before n8n-core is loaded, so running workflows here never writes to the home folder.
if (process.env.N8N_USER_FOLDER === undefined) {
	process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-bitrix24-'));
}
process.env.N8N_LOG_LEVEL ??= 'silent';
