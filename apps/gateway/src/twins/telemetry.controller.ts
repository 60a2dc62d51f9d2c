import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { Subjects } from '@odt/contracts';
import { InternalClient } from '@odt/messaging';
import { telemetryMessage } from './telemetry-message';
import { Requires } from '../auth/data-actions';

/** ADT endpoints 19–20: telemetry, published as events and never stored; 204 once JetStream has it. */
@Controller('digitaltwins')
export class TelemetryController {
  constructor(private readonly services: InternalClient) {}

  @Post(':id/telemetry')
  @Requires('digitaltwins/action')
  @HttpCode(204)
  async twin(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('message-id') messageId: string | undefined,
    @Headers('telemetry-source-time') sourceTime: string | undefined,
  ): Promise<void> {
    const message = telemetryMessage(messageId, body, 'twin');
    await this.services.request(Subjects.TelemetryPublish, { id, ...message, ...optional(sourceTime) });
  }

  @Post(':id/components/:componentPath/telemetry')
  @Requires('digitaltwins/action')
  @HttpCode(204)
  async component(
    @Param('id') id: string,
    @Param('componentPath') component: string,
    @Body() body: unknown,
    @Headers('message-id') messageId: string | undefined,
    @Headers('telemetry-source-time') sourceTime: string | undefined,
  ): Promise<void> {
    const message = telemetryMessage(messageId, body, 'component');
    await this.services.request(Subjects.TelemetryPublish, { id, component, ...message, ...optional(sourceTime) });
  }
}

/** An empty `Telemetry-Source-Time` counts as absent. */
const optional = (sourceTime: string | undefined) => (sourceTime ? { sourceTime } : {});
