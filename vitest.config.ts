import { defineConfig } from 'vitest/config';

// Node 20 here is deliberate (Lambda runs 22): silence the SDK's upgrade notice in the global setup too.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // DynamoDB Local and the SES emulator are started once for the whole run, then shared.
    globalSetup: ['test/support/global-setup.ts'],
    env: { LOG_LEVEL: 'silent', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
