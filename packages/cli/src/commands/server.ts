import { describeStorage, loadConfig, OPTIONS, redactDatabaseUrl, startServer } from '@cairn/server';
import { connectionHelp } from '../first-start.js';

export const serverUsage = `cairn server [options]

Starts the API (8008), the file server (8081) and the web port (8080) with an
embedded SQLite database and a local data folder; with --database, on PostgreSQL
(several replicas may share one database).

${OPTIONS.map((o) => `  ${(o.flag + (o.kind === 'bool' ? '' : ' VALUE')).padEnd(28)} ${o.env.padEnd(26)} ${o.help}`).join('\n')}
`;

export async function serverCommand(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(serverUsage);
    return;
  }
  const config = loadConfig(argv, process.env);
  // What the server writes (database, uploads) is its user's alone.
  process.umask(0o077);
  const started = Date.now();
  const server = await startServer(config, (line) => console.error(`[cairn] ${line}`));
  console.log(`Cairn is running (ready in ${Date.now() - started} ms); data folder ${config.dataDir}`);
  console.log(`  API          ${server.urls.api}`);
  console.log(`  file server  ${server.urls.files}`);
  console.log(`  web          ${server.urls.web}`);
  console.log(`  database     ${config.database ? redactDatabaseUrl(config.database) : 'SQLite (data folder)'}`);
  const storage = describeStorage(config);
  console.log(`  files        ${storage.files}`);
  console.log(`  S3 access    ${storage.s3}`);
  if (server.firstStart) {
    console.log('\nFirst start: this is printed only once, keep it.');
    if (server.firstStart.adminPassword) console.log(`  web sign-in: admin / ${server.firstStart.adminPassword}`);
    const creds = server.firstStart.credentials;
    if (creds) {
      console.log('\nPoint the clearml SDK and agents at this server with:');
      console.log(connectionHelp(server.urls, creds.access_key, creds.secret_key));
    }
  }
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
