import { CONTROLLER_ALGORITHMS, type Controller, type ControllerAlgorithm, type ControllerOptions } from '../controller.js';
import { FrequencyDomainFxlms } from './fd-fxlms.js';
import { FilteredXLms } from './fxlms.js';
import { FilteredXRls } from './fxrls.js';
import { PartitionedBlockFxlms } from './pb-fxlms.js';

export { FilteredXLms, FXLMS_DEFAULTS, FXNLMS_DEFAULTS, defaultFxnlmsStepSize } from './fxlms.js';
export { FilteredXRls, FXRLS_DEFAULTS } from './fxrls.js';
export { FrequencyDomainFxlms } from './fd-fxlms.js';
export { PartitionedBlockFxlms } from './pb-fxlms.js';

/** Creates any controller by name; throws a RangeError naming the known algorithms for an unknown one. */
export function createController(algorithm: string, options: ControllerOptions): Controller {
  switch (algorithm as ControllerAlgorithm) {
    case 'fxlms':
      return new FilteredXLms(options, false);
    case 'fxnlms':
      return new FilteredXLms(options, true);
    case 'fxrls':
      return new FilteredXRls(options);
    case 'fdfxlms':
      return new FrequencyDomainFxlms(options);
    case 'pbfxlms':
      return new PartitionedBlockFxlms(options);
    default:
      throw new RangeError(`unknown algorithm "${algorithm}"; known: ${CONTROLLER_ALGORITHMS.join(', ')}`);
  }
}

export function isControllerAlgorithm(name: string): name is ControllerAlgorithm {
  return (CONTROLLER_ALGORITHMS as readonly string[]).includes(name);
}
