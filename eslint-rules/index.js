// The project's own lint rules, used by eslint.config.js as the plugin `local`.
import layers from './layers.js';
import noBannerComments from './no-banner-comments.js';
import noCycle from './no-cycle.js';

export default {
  meta: { name: 'oee-local' },
  rules: { layers, 'no-cycle': noCycle, 'no-banner-comments': noBannerComments },
};
