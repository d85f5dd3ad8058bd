import type { ModulesContainer } from '@nestjs/core';

const PARAMTYPES = 'design:paramtypes';
const SELF_PARAMTYPES = 'self:paramtypes';
const PROPERTY_DEPS = 'self:properties_metadata';

/**
 * Whether any provider, controller, guard, interceptor or middleware of the app injects `token`, by
 * constructor or property. Read once at boot from Nest's own injection metadata.
 */
export function isInjectedAnywhere(modules: ModulesContainer, token: object): boolean {
  for (const module of modules.values()) {
    const wrappers = [
      ...module.providers.values(),
      ...module.controllers.values(),
      ...module.injectables.values(),
      // Consumer middleware (known by now: Nest registers it before the init hooks run).
      ...module.middlewares.values(),
    ];
    for (const { metatype } of wrappers) {
      if (typeof metatype !== 'function' || metatype === token) continue;
      const byType = (Reflect.getMetadata(PARAMTYPES, metatype) ?? []) as unknown[];
      const byToken = (Reflect.getMetadata(SELF_PARAMTYPES, metatype) ?? []) as Array<{
        param: unknown;
      }>;
      const byProperty = (Reflect.getMetadata(PROPERTY_DEPS, metatype) ?? []) as Array<{
        type: unknown;
      }>;
      if (
        byType.includes(token) ||
        byToken.some((d) => d.param === token) ||
        byProperty.some((d) => d.type === token)
      ) {
        return true;
      }
    }
  }
  return false;
}
