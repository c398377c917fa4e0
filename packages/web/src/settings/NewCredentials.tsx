import { serverUrls } from '../api/config';
import { CopyBlock } from '../ui/CopyBlock';
import { clearmlConf, envExports } from './snippets';

/** The one time a secret key is visible: both ways of configuring the SDK, ready to copy. */
export function NewCredentials({ accessKey, secretKey, onDone }: { accessKey: string; secretKey: string; onDone: () => void }) {
  const urls = serverUrls();
  return (
    <div className="backdrop">
      <div className="dialog dialog-wide" role="dialog" aria-label="New credentials">
        <h2>New credentials</h2>
        <div className="dialog-body">
          <p className="warning">Copy the secret key now: it is shown only this once and cannot be read back later.</p>
          <p>
            Paste this into <code>~/clearml.conf</code> (or run <code>clearml-init</code> and paste it there):
          </p>
          <CopyBlock label="clearml.conf" text={clearmlConf(urls, accessKey, secretKey)} />
          <p>Or set these environment variables, for example in CI or a container:</p>
          <CopyBlock label="Environment variables" text={envExports(urls, accessKey, secretKey)} />
        </div>
        <div className="dialog-actions">
          <button type="button" className="primary" onClick={onDone}>Done</button>
        </div>
      </div>
    </div>
  );
}
