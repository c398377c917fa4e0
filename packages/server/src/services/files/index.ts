import { Errors } from '@cairn/protocol';
import { EXP_PARAM, SIG_PARAM } from '../../auth/url-signer.js';
import { isS3Url } from '../../blobs/s3-location.js';
import { S3_PROXY_PATH, s3ProxySubject } from '../../files/paths.js';
import { fileServerPath } from '../../files/server-url.js';
import { ApiError } from '../../http/api-error.js';
import type { ServiceModule } from '../deps.js';

/** More than a page shows at once; a bigger batch is refused. */
const MAX_URLS = 2000;

/**
 * `files.sign_urls` (Cairn's own): the web UI's way to show images and offer downloads
 * from the file server, which asks for a token that a browser cannot attach to an
 * `<img>` or a link. Each address of this server's file store comes back with a
 * signature of its path valid for an hour. An `s3://` address (the SDK wrote the object
 * to S3 itself) comes back as a signed file-server address that streams the object with
 * the server's S3 credentials, so the browser never holds them. Any other address comes
 * back unchanged.
 */
export const registerFiles: ServiceModule = (registry, { config, signer }) => {
  const signS3 = (raw: string): string => {
    const { exp, sig } = signer.sign(s3ProxySubject(raw));
    const url = new URL(`${config.publicFilesUrl.replace(/\/+$/, '')}/${S3_PROXY_PATH}`);
    url.searchParams.set('url', raw);
    url.searchParams.set(EXP_PARAM, String(exp));
    url.searchParams.set(SIG_PARAM, sig);
    return url.toString();
  };

  const sign = (raw: string): string => {
    if (isS3Url(raw)) return signS3(raw);
    if (config.publicFiles) return raw;
    const segments = fileServerPath(raw, config.publicFilesUrl);
    if (!segments) return raw;
    const url = new URL(raw);
    const { exp, sig } = signer.sign(segments.join('/'));
    url.searchParams.set(EXP_PARAM, String(exp));
    url.searchParams.set(SIG_PARAM, sig);
    return url.toString();
  };

  registry.add({
    name: 'files.sign_urls',
    handler: async (body) => {
      const urls = body.urls;
      if (!Array.isArray(urls) || urls.some((u) => typeof u !== 'string')) throw new ApiError(Errors.validationError, 'urls must be a list of strings', { field: 'urls' });
      if (urls.length > MAX_URLS) throw new ApiError(Errors.batchTooLarge, `at most ${MAX_URLS} urls per call, got ${urls.length}`);
      return { urls: (urls as string[]).map((u) => {
        try {
          return sign(u);
        } catch {
          return u;
        }
      }) };
    },
  });
};
