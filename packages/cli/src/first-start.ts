import type { RunningServer } from '@cairn/server';

/** The block printed once at first start: the variables and clearml.conf that point the SDK here. */
export function connectionHelp(urls: RunningServer['urls'], accessKey: string, secretKey: string): string {
  return `
  export CLEARML_API_HOST=${urls.api}
  export CLEARML_WEB_HOST=${urls.web}
  export CLEARML_FILES_HOST=${urls.files}
  export CLEARML_API_ACCESS_KEY=${accessKey}
  export CLEARML_API_SECRET_KEY=${secretKey}

or in ~/clearml.conf:

  api {
    web_server: ${urls.web}
    api_server: ${urls.api}
    files_server: ${urls.files}
    credentials {
      "access_key" = "${accessKey}"
      "secret_key" = "${secretKey}"
    }
  }
`;
}
