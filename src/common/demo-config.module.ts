import { type DynamicModule, Module } from '@nestjs/common';
import type { DemoConfig } from './demo-config.js';
import { DEMO_CONFIG } from './demo-config.token.js';

/** Makes the DemoConfig injectable everywhere. */
@Module({})
export class DemoConfigModule {
  static forConfig(config: DemoConfig): DynamicModule {
    return {
      module: DemoConfigModule,
      global: true,
      providers: [{ provide: DEMO_CONFIG, useValue: config }],
      exports: [DEMO_CONFIG],
    };
  }
}
