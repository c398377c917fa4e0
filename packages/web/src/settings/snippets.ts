import type { ServerUrls } from '../api/config';

/** The `api` section of clearml.conf for a key pair, in the layout `clearml-init` writes. */
export function clearmlConf(urls: ServerUrls, accessKey: string, secretKey: string): string {
  return [
    'api {',
    `    web_server: ${urls.webUrl}`,
    `    api_server: ${urls.apiUrl}`,
    `    files_server: ${urls.filesUrl}`,
    '    credentials {',
    `        "access_key" = "${accessKey}"`,
    `        "secret_key" = "${secretKey}"`,
    '    }',
    '}',
  ].join('\n');
}

/** The same settings as environment variables, which override clearml.conf. */
export function envExports(urls: ServerUrls, accessKey: string, secretKey: string): string {
  return [
    `export CLEARML_API_HOST=${urls.apiUrl}`,
    `export CLEARML_WEB_HOST=${urls.webUrl}`,
    `export CLEARML_FILES_HOST=${urls.filesUrl}`,
    `export CLEARML_API_ACCESS_KEY=${accessKey}`,
    `export CLEARML_API_SECRET_KEY=${secretKey}`,
  ].join('\n');
}
