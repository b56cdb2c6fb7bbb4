import type { Command } from 'commander';
import type { SwitchyardConfig } from '../config/index.js';
import { UsageError } from '../errors/index.js';
import { TenantAdmin } from '../gateway/index.js';
import type { CliDependencies } from './cli-dependencies.js';
import { formatTable } from './format-table.js';

interface LimitFlags {
  config?: string;
  budgetUsd?: string;
  budgetPeriod?: string;
  rpm?: string;
  tpm?: string;
  models?: string;
  expires?: string;
  json?: boolean;
}

/** A flag that must be a number, as the admin API's input wants it (validated there). */
function readNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number))
    throw new UsageError(`${flag} must be a number, not "${value}".`);
  return number;
}

function readLimits(flags: LimitFlags): Record<string, unknown> {
  const limits: Record<string, unknown> = {};
  const budgetUsd = readNumber(flags.budgetUsd, '--budget-usd');
  if (budgetUsd !== undefined) limits.budgetUsd = budgetUsd;
  if (flags.budgetPeriod !== undefined) limits.budgetPeriod = flags.budgetPeriod;
  const rpm = readNumber(flags.rpm, '--rpm');
  if (rpm !== undefined) limits.rpm = rpm;
  const tpm = readNumber(flags.tpm, '--tpm');
  if (tpm !== undefined) limits.tpm = tpm;
  if (flags.models !== undefined) limits.models = flags.models.split(',').map((name) => name.trim());
  return limits;
}

function addLimitOptions(command: Command): Command {
  return command
    .option('--budget-usd <usd>', 'spend limit per budget period, in USD')
    .option('--budget-period <period>', 'day or month (UTC calendar periods; default month)')
    .option('--rpm <n>', 'requests per minute, across every replica')
    .option('--tpm <n>', 'tokens per minute, across every replica')
    .option(
      '--models <a,b>',
      'the only configured models that may serve it (routing and aliases still apply)',
    )
    .option(
      '--config <file>',
      'config file naming the store (default: SWITCHYARD_CONFIG, else the built-in default)',
    );
}

async function withAdmin<T>(
  dependencies: CliDependencies,
  file: string | undefined,
  run: (admin: TenantAdmin) => Promise<T>,
): Promise<T> {
  const { config } = await dependencies.loadConfig(file);
  const store = await dependencies.openTenantStore(config);
  try {
    return await run(new TenantAdmin({ store, modelNames: listModelNames(config) }));
  } finally {
    await store.close();
  }
}

function listModelNames(config: SwitchyardConfig): string[] {
  return Object.keys(config.models);
}

/** `switchyard tenants create|list` and `switchyard keys create|list|revoke`. */
export function registerTenantCommands(program: Command, dependencies: CliDependencies): void {
  const write = (text: string): void => {
    dependencies.stdout.write(text);
  };
  const tenants = program
    .command('tenants')
    .description('Teams sharing the gateway: their budgets and limits.');
  addLimitOptions(tenants.command('create').argument('<name>').description('Create a tenant.')).action(
    async (name: string, flags: LimitFlags) => {
      const tenant = await withAdmin(dependencies, flags.config, (admin) =>
        admin.createTenant({ name, ...readLimits(flags) }),
      );
      write(`${JSON.stringify(tenant)}\n`);
    },
  );
  tenants
    .command('list')
    .option('--config <file>', 'config file naming the store')
    .option('--json', 'print JSON')
    .description('List tenants.')
    .action(async (flags: LimitFlags) => {
      const list = await withAdmin(dependencies, flags.config, (admin) => admin.listTenants());
      if (flags.json) return write(`${JSON.stringify(list)}\n`);
      write(
        formatTable([
          ['tenant', 'budget', 'rpm', 'tpm', 'models'],
          ...list.map((tenant) => [
            tenant.name,
            tenant.budgetUsd === undefined ? '-' : `$${tenant.budgetUsd}/${tenant.budgetPeriod ?? 'month'}`,
            String(tenant.rpm ?? '-'),
            String(tenant.tpm ?? '-'),
            tenant.models?.join(',') ?? 'all',
          ]),
        ]),
      );
    });

  const keys = program.command('keys').description('Virtual API keys (sy-...), each of one tenant.');
  addLimitOptions(keys.command('create').description('Create a key; the key is printed once.'))
    .requiredOption('--tenant <name>', 'the tenant the key belongs to')
    .option('--expires <duration>', 'lifetime, e.g. 30d, 12h, 90m')
    .option('--json', 'print JSON (at least id and key)')
    .action(async (flags: LimitFlags & { tenant: string }) => {
      const created = await withAdmin(dependencies, flags.config, (admin) =>
        admin.createKey({
          tenant: flags.tenant,
          ...readLimits(flags),
          ...(flags.expires !== undefined ? { expiresIn: flags.expires } : {}),
        }),
      );
      if (flags.json) return write(`${JSON.stringify(created)}\n`);
      write(`${created.key}\n`);
      dependencies.stderr.write(`Key ${created.id} of tenant ${created.tenant}: shown once, store it now.\n`);
    });
  keys
    .command('list')
    .option('--tenant <name>', "only this tenant's keys")
    .option('--config <file>', 'config file naming the store')
    .option('--json', 'print JSON')
    .description('List keys (never their secret).')
    .action(async (flags: LimitFlags & { tenant?: string }) => {
      const list = await withAdmin(dependencies, flags.config, (admin) => admin.listKeys(flags.tenant));
      if (flags.json) return write(`${JSON.stringify(list)}\n`);
      write(
        formatTable([
          ['id', 'tenant', 'prefix', 'expires', 'revoked'],
          ...list.map((key) => [
            key.id,
            key.tenant,
            `${key.prefix}...`,
            key.expiresAt ?? '-',
            key.revokedAt ?? '-',
          ]),
        ]),
      );
    });
  keys
    .command('revoke')
    .argument('<id>')
    .option('--config <file>', 'config file naming the store')
    .description('Revoke a key: every replica refuses it within a second.')
    .action(async (id: string, flags: LimitFlags) => {
      const key = await withAdmin(dependencies, flags.config, (admin) => admin.revokeKey(id));
      write(`revoked ${key.id} (${key.prefix}...) at ${key.revokedAt}\n`);
    });
}
