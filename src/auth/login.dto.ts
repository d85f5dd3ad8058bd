import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** POST /login, as a form or JSON. */
export class LoginDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  username: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  password: string;

  /** Checkbox: 'on' or 'true' makes the session permanent. */
  @IsOptional()
  @IsIn(['on', 'true', 'off', 'false', true, false], {
    message: 'remember must be one of: on, true, off, false',
  })
  remember?: string | boolean;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  next?: string;
}
