/** DI token of the DemoConfig. */
export const DEMO_CONFIG = 'demo:config';
