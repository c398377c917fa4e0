#!/usr/bin/env node
// A committed entry point, so that `npm ci` can link `cairn` before the first build.
import('../dist/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('cairn: not built yet; run `npm run build` first');
    process.exit(1);
  }
  throw err;
});
