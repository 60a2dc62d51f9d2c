import { Inject, Injectable } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { Subjects, type DigitalTwin, type ListPage, type QueryReply, type Relationship, type ReplyOf, type RequestOf, type Subject } from '@odt/contracts';
import { firstValueFrom, timeout } from 'rxjs';

export const ODT = 'OPEN_DIGITAL_TWINS';

/**
 * Reads the twin graph through the services' internal subjects, as another team's service would:
 * `client.send(pattern, data)` on a stock NATS `ClientProxy`. Payload and reply types come from
 * `@odt/contracts`. An error reply arrives as the error `{ code, message }` (ADT's codes).
 */
@Injectable()
export class TwinReader {
  static readonly NAMESPACE = Symbol('ODT_NAMESPACE');

  constructor(
    @Inject(ODT) private readonly client: ClientProxy,
    @Inject(TwinReader.NAMESPACE) private readonly namespace: string,
  ) {}

  twin(id: string): Promise<DigitalTwin> {
    return this.send(Subjects.TwinsGet, { id });
  }

  relationships(id: string): Promise<ListPage<Relationship>> {
    return this.send(Subjects.RelationshipsList, { twinId: id, maxItemsPerPage: 100 });
  }

  query(query: string): Promise<unknown[]> {
    return this.send(Subjects.QueryRun, { query, maxItemsPerPage: 100 }).then((page: QueryReply) => JSON.parse(page.valueJson) as unknown[]);
  }

  private send<S extends Subject>(subject: S, data: RequestOf<S>): Promise<ReplyOf<S>> {
    const pattern = this.namespace ? `${this.namespace}.${subject}` : subject;
    return firstValueFrom(this.client.send<ReplyOf<S>>(pattern, data).pipe(timeout(10_000)));
  }
}
