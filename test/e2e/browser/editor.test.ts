// The package in n8n's editor, in Debian's Chromium: the node as a user meets it (node.ts), the demo
// workflow run with "Execute workflow" (run.ts), the payment operation (payments.ts), the Bitrix24 Pay
// System node's panel entry and form (paySystemNode.ts), and connecting an OAuth2 credential
// (oauth2.ts). The five share one editor (`npm start`'s, in a fresh folder on free ports) and one
// browser, signed in once: starting them takes half a minute, the cases far less.
// Each case opens the page it starts from. The OAuth2 cases come last, as they add a credential and
// connect the demo one again. One case alone: `npm run e2e -- test/e2e/browser/editor.test.ts -t "<its name>"`.
import './node';
import './run';
import './payments';
import './paySystemNode';
import './oauth2';
