import { z } from 'zod';
import { authSchema } from './auth-schema.js';
import { feedbackSchema } from './feedback-schema.js';
import { loggingSchema } from './logging-schema.js';
import { modelNameSchema, modelSchema } from './model-schema.js';
import { routingSchema } from './routing-schema.js';
import { serverSchema } from './server-schema.js';
import { stateSchema } from './state-schema.js';
import { storageSchema } from './storage-schema.js';

/** The whole `switchyard.yaml`. Unknown keys anywhere are errors. */
export const switchyardConfigSchema = z.strictObject({
  models: z
    .record(modelNameSchema, modelSchema)
    .refine((models) => Object.keys(models).length > 0, 'configure at least one model'),
  routing: routingSchema,
  server: serverSchema.default(serverSchema.parse({})),
  storage: storageSchema.default(storageSchema.parse({})),
  logging: loggingSchema.default(loggingSchema.parse({})),
  auth: authSchema.default(authSchema.parse({})),
  state: stateSchema.default(stateSchema.parse({})),
  feedback: feedbackSchema.default(feedbackSchema.parse({})),
});

export type SwitchyardConfig = z.infer<typeof switchyardConfigSchema>;
/** The config as written in YAML, before defaults are filled in. */
export type SwitchyardConfigInput = z.input<typeof switchyardConfigSchema>;
