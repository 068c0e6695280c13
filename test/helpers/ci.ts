/** Under CI (CI=true) what a developer's machine may lack (the real-model suite, Chromium) is required: missing, it fails the tests instead of skipping them. */
export const onCi = process.env.CI === 'true' || process.env.CI === '1';
