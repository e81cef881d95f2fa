// `node --import tsx scripts/bundle-admin.ts`: builds the back-office's components bundle into
// ADMIN_JS_TMP_DIR once (the Dockerfile runs it at image build), so that web processes started with
// ADMIN_JS_SKIP_BUNDLE=true serve it at once instead of each spending minutes bundling at start-up.
// The bundle depends on the components (admin/components.ts) and nothing else of the back-office's options.
process.env.NODE_ENV = 'production';
delete process.env.ADMIN_JS_SKIP_BUNDLE;
const { default: AdminJS } = await import('adminjs');
const { componentLoader } = await import('../admin/components.js');
const started = Date.now();
await new AdminJS({ rootPath: '/admin', componentLoader }).initialize();
process.stdout.write(`Back-office bundle written to ${process.env.ADMIN_JS_TMP_DIR ?? '.adminjs'} in ${Math.round((Date.now() - started) / 1000)} s.\n`);
