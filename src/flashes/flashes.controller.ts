import { Controller, Get } from '@nestjs/common';
import { Flash, type FlashMessage } from 'nestjs-flask-session';

/** The waiting flash messages as JSON, consumed as an HTML page consumes them. */
@Controller('flashes')
export class FlashesController {
  @Get()
  list(@Flash() flash: Flash): { messages: FlashMessage[] } {
    return { messages: flash.consume() };
  }
}
