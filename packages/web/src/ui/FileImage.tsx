import { useState } from 'react';
import { fileProblem } from '../api/file-problem';

/**
 * A picture at a signed file-server address. When it does not load, the server's reason
 * (a missing object, S3 refusing the server's key) takes its place rather than a broken
 * image that explains nothing.
 */
export function FileImage({ src, alt, lazy = false }: { src: string; alt: string; lazy?: boolean }) {
  const [failed, setFailed] = useState<{ src: string; message: string } | null>(null);
  if (failed?.src === src) return <span className="file-problem" role="alert" title={failed.message}>Could not load the image: {failed.message}</span>;
  const explain = () => {
    void fileProblem(src).then(
      (problem) => problem ?? 'the browser cannot show this file as a picture',
      () => 'the file server gave no answer this page can read',
    ).then((message) => setFailed({ src, message }));
  };
  return <img src={src} alt={alt} loading={lazy ? 'lazy' : undefined} onError={explain} />;
}
