import { rotateSigningKey } from '@cairn/server';
import { withLocalStore } from './local-store.js';

export const signingKeyUsage = `cairn rotate-signing-key [--data-dir DIR | --database URL]

Replaces the key that signs login tokens. Every token handed out before stops working
within seconds, also on a running server: the clearml SDK and agents sign in again by
themselves with their keys; web users sign in again.
`;

export async function rotateSigningKeyCommand(argv: string[]): Promise<number> {
  const args = [...argv];
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(signingKeyUsage);
    return 0;
  }
  return withLocalStore(args, async (store) => {
    await rotateSigningKey(store);
    console.log('the token signing key was replaced; tokens signed with the old one are refused from now on');
    return 0;
  });
}
