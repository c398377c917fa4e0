import { useState, type MouseEvent } from 'react';
import { fileProblem } from '../api/file-problem';
import { useSignedUrl } from '../api/signed-urls';
import { downloadUrl } from '../experiment/links';

/**
 * A download link for a stored file (file server or `s3://`): the signed attachment
 * address once known, and a click that asks the file server first, so that a file it
 * cannot deliver gets its reason shown beside the link instead of the browser leaving
 * the page for a bare JSON error.
 */
export function useDownload(uri: string | undefined): {
  href: string | undefined;
  onClick: (e: MouseEvent<HTMLAnchorElement>) => void;
  problem: string | null;
} {
  const signed = useSignedUrl(uri);
  const href = signed && downloadUrl(signed);
  const [problem, setProblem] = useState<{ href: string; message: string } | null>(null);
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    // a click for a new tab or "save as" stays the browser's own
    if (!href || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    setProblem(null);
    void fileProblem(href).then(
      (message) => (message ? setProblem({ href, message }) : window.location.assign(href)),
      // the server's answer cannot be read from this page: the browser tries the download itself
      () => window.location.assign(href),
    );
  };
  return { href, onClick, problem: problem && problem.href === href ? problem.message : null };
}
