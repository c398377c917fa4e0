import { ConfigError } from '@cairn/server';
import { agentCommand, agentUsage } from './commands/agent.js';
import { backupCommand, backupUsage, restoreCommand } from './commands/backup.js';
import { credentialsCommand, credentialsUsage } from './commands/credentials.js';
import { migrateCommand, migrateUsage } from './commands/migrate.js';
import { serverCommand, serverUsage } from './commands/server.js';
import { rotateSigningKeyCommand, signingKeyUsage } from './commands/signing-key.js';
import { usersCommand, usersUsage } from './commands/users.js';
import { taskCommand, taskUsage } from './commands/task.js';

const usage = `usage: cairn <command> [options]

commands:
  server        start the Cairn server (API, file server, web)
  credentials   create, list or revoke API keys
  users         create, list, disable or enable users
  rotate-signing-key
                replace the key that signs login tokens (ends every token)
  agent         run a worker that executes queued tasks (agent daemon)
  task          create (and enqueue) a task to run remotely
  migrate       copy a data folder's SQLite store into PostgreSQL
  backup        write a snapshot of the store to a SQLite file
  restore       load such a file into an empty store

${serverUsage}
${credentialsUsage}
${usersUsage}
${signingKeyUsage}
${agentUsage}
${taskUsage}
${migrateUsage}
${backupUsage}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
      await serverCommand(rest);
      return -1;
    case 'credentials':
      return credentialsCommand(rest);
    case 'users':
      return usersCommand(rest);
    case 'rotate-signing-key':
      return rotateSigningKeyCommand(rest);
    case 'agent':
      return agentCommand(rest);
    case 'task':
      return taskCommand(rest);
    case 'migrate':
      return migrateCommand(rest);
    case 'backup':
      return backupCommand(rest);
    case 'restore':
      return restoreCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command ${command}\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof ConfigError ? `cairn: ${err.message}` : err);
    process.exit(1);
  },
);
