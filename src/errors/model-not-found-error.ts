import { GatewayError } from './gateway-error.js';

/** The requested `model` is neither `auto`, a configured model, nor an alias (404). */
export class ModelNotFoundError extends GatewayError {
  readonly status = 404;
  readonly type = 'invalid_request_error';

  constructor(options: { model: string; validNames: string[] }) {
    super({
      message: `The model '${options.model}' does not exist on this gateway. Valid models: ${options.validNames.join(', ')}.`,
      code: 'model_not_found',
      param: 'model',
    });
  }
}
