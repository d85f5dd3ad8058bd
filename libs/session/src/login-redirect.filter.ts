import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { LoginRedirectException } from './session.errors.js';

/** Turns LoggedInGuard's LoginRedirectException into a 302 to the login page, on any platform. */
@Catch(LoginRedirectException)
export class LoginRedirectFilter implements ExceptionFilter<LoginRedirectException> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: LoginRedirectException, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    adapter.redirect(host.switchToHttp().getResponse(), HttpStatus.FOUND, exception.location);
  }
}
