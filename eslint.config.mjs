import { config } from '@n8n/node-cli/eslint';

// The community-node rules, exactly as @n8n/node-cli configures them, over what ships to n8n.
export default [{ ignores: ['emulator/**', 'harness/**', 'demo/**', 'test/**', 'bench/**', 'soak/**', 'scripts/**', 'dist/**', '*.js', '*.mjs'] }, ...config];
