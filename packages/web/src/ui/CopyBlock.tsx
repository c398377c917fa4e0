import { useState } from 'react';

/** Text to paste elsewhere, with a button that copies it exactly. */
export function CopyBlock({ label, text }: { label: string; text: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // Without clipboard permission the text stays selectable in the block.
      setCopied(false);
    }
  };
  return (
    <div className="copy-block">
      <div className="copy-head">
        <span>{label}</span>
        <button type="button" onClick={copy}>{copied ? 'Copied' : 'Copy to clipboard'}</button>
      </div>
      <pre aria-label={label}>{text}</pre>
    </div>
  );
}
