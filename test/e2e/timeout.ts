// The e2e project's time limit for each test and hook (jest.config.js sets it here: jest reads its
// testTimeout for the whole run only). Every n8n CLI command boots n8n, 10-20 s on a busy 2-core
// machine; a suite boots it several times, and a browser test walks several slow editor pages.
jest.setTimeout(300_000);
