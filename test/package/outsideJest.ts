import { execFileSync } from 'node:child_process';

// Without jest's NODE_ENV=test: eslint-plugin-n8n-nodes-base reads file names differently under it,
// and reports errors that `npm run lint` and n8n's scanner never see.
const { NODE_ENV: _jestEnv, ...ENV } = process.env;

/** Runs a command as a shell would, and returns its standard output; throws with `status` and `stdout` on failure. */
export function runOutsideJest(command: string, args: string[], cwd?: string): string {
	return execFileSync(command, args, { cwd, env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
