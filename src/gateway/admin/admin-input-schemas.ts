import { z } from 'zod';

const limitFields = {
  /** USD per period; a budget needs no period (monthly by default). */
  budgetUsd: z.number().positive().max(1_000_000_000).optional(),
  budgetPeriod: z.enum(['day', 'month']).optional(),
  rpm: z.int().positive().max(1_000_000_000).optional(),
  tpm: z.int().positive().max(1_000_000_000_000).optional(),
  models: z.array(z.string().min(1).max(128)).min(1).max(256).optional(),
};

/** A tenant as the admin API and the CLI create it. */
export const createTenantInputSchema = z
  .strictObject({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
        'use 1-63 letters, digits, dots, dashes or underscores, starting with a letter or digit',
      ),
    ...limitFields,
  })
  .refine((input) => input.budgetPeriod === undefined || input.budgetUsd !== undefined, {
    message: 'budgetPeriod needs budgetUsd',
    path: ['budgetPeriod'],
  });

/** A key as the admin API and the CLI create it; `expiresIn` like `30d`, `12h` or `90m`. */
export const createKeyInputSchema = z
  .strictObject({
    tenant: z.string().min(1).max(63),
    expiresIn: z
      .string()
      .regex(/^[1-9][0-9]{0,5}[mhd]$/, 'expected a duration like 30d, 12h or 90m')
      .optional(),
    ...limitFields,
  })
  .refine((input) => input.budgetPeriod === undefined || input.budgetUsd !== undefined, {
    message: 'budgetPeriod needs budgetUsd',
    path: ['budgetPeriod'],
  });

export type CreateTenantInput = z.infer<typeof createTenantInputSchema>;
export type CreateKeyInput = z.infer<typeof createKeyInputSchema>;

const DURATION_UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30d` → milliseconds. */
export function parseDuration(text: string): number {
  const unit = text.slice(-1) as keyof typeof DURATION_UNIT_MS;
  return Number(text.slice(0, -1)) * DURATION_UNIT_MS[unit];
}
