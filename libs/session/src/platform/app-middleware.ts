import type { ModulesContainer } from '@nestjs/core';

/**
 * Whether a module other than `self` has a configure() method, and so may mount middleware with
 * the MiddlewareConsumer (Nest calls configure() on every module that has one). Known before
 * any configure() runs, from the module instances.
 */
export function otherModulesConfigureMiddleware(modules: ModulesContainer, self: object): boolean {
  for (const module of modules.values()) {
    const instance = module.instance as { configure?: unknown } | undefined;
    if (instance !== self && typeof instance?.configure === 'function') return true;
  }
  return false;
}
