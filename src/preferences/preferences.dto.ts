import { IsIn } from 'class-validator';
import { THEMES, type Theme } from './theme.js';

/** POST /preferences, as a form or JSON. */
export class PreferencesDto {
  @IsIn(THEMES)
  theme: Theme;
}
