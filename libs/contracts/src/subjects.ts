import type {
  CreateModelsRequest, DecommissionModelRequest, DeleteModelRequest, GetFlattenedReply, GetFlattenedRequest,
  GetModelRequest, ListModelsReply, ListModelsRequest, ModelData,
} from './models';
import type {
  HistoryEventsReply, HistoryEventsRequest, HistoryPage, HistoryQueryRequest, HistoryRelationshipRequest, HistoryRelationshipsRequest,
  HistoryTwinRequest, AggregatedValue, PropertyHistoryRequest, PropertyValue, PurgeHistoryReply, PurgeHistoryRequest,
} from './history';
import type {
  DeleteTwinCascadeReply, DeleteTwinCascadeRequest, GraphBatchReply, GraphBatchRequest, PatchManyReply, PatchManyRequest,
} from './batch';
import type {
  Connection, ConnectionDeadLetter, ConnectionDeadLettersRequest, ConnectionNameRequest, ConnectionReplayReply, ListConnectionsReply,
  ListConnectionsRequest, PutConnectionRequest, SendConnectionMessagesReply, SendConnectionMessagesRequest, TestConnectionReply, TestConnectionRequest,
} from './connections';
import type {
  CreateDeleteJobRequest, CreateExportJobRequest, CreateImportJobRequest, DeleteJob, ExportJob, ExportOutputReply, ImportBatchReply,
  ImportBatchRequest, ImportJob, JobKey, JobLogReply, JobLogRequest, ListJobsRequest,
} from './jobs';
import type { QueryReply, QueryRequest } from './query';
import type {
  DeadLettersRequest, DeadLetterView, Endpoint, EventRoute, NamedRequest, PageRequest, PutEndpointRequest, PutEventRouteRequest, ReplayReply,
} from './routing';
import type {
  DeleteRelationshipRequest, IncomingRelationship, ListPage, ListRelationshipsRequest, PatchRelationshipRequest, Relationship,
  RelationshipKey, UpsertRelationshipRequest,
} from './relationships';
import type {
  DeleteTwinRequest, DigitalTwin, GetComponentReply, GetComponentRequest, GetTwinRequest, PatchComponentRequest, PatchTwinReply,
  PatchTwinRequest, PublishTelemetryRequest, UpsertTwinRequest,
} from './twins';

/**
 * Every internal request/reply subject: the `@MessagePattern` of its handler. Services subscribe in
 * a queue group named after the service, so replicas share the load. `docs/internal-api.md`
 * documents each one.
 */
export const Subjects = {
  ModelsCreate: 'odt.models.create',
  ModelsList: 'odt.models.list',
  ModelsGet: 'odt.models.get',
  ModelsDecommission: 'odt.models.decommission',
  ModelsDelete: 'odt.models.delete',
  ModelsGetFlattened: 'odt.models.flattened',
  TwinsGet: 'odt.twins.get',
  TwinsUpsert: 'odt.twins.upsert',
  TwinsPatch: 'odt.twins.patch',
  TwinsDelete: 'odt.twins.delete',
  ComponentsGet: 'odt.twins.components.get',
  ComponentsPatch: 'odt.twins.components.patch',
  TelemetryPublish: 'odt.twins.telemetry',
  RelationshipsGet: 'odt.relationships.get',
  RelationshipsUpsert: 'odt.relationships.upsert',
  RelationshipsPatch: 'odt.relationships.patch',
  RelationshipsDelete: 'odt.relationships.delete',
  RelationshipsList: 'odt.relationships.list',
  RelationshipsListIncoming: 'odt.relationships.incoming',
  QueryRun: 'odt.query.run',
  RoutesPut: 'odt.routing.routes.put',
  RoutesGet: 'odt.routing.routes.get',
  RoutesList: 'odt.routing.routes.list',
  RoutesDelete: 'odt.routing.routes.delete',
  EndpointsPut: 'odt.routing.endpoints.put',
  EndpointsGet: 'odt.routing.endpoints.get',
  EndpointsList: 'odt.routing.endpoints.list',
  EndpointsDelete: 'odt.routing.endpoints.delete',
  DeadLettersList: 'odt.routing.deadletters.list',
  DeadLettersReplay: 'odt.routing.deadletters.replay',
  HistoryTwinGet: 'odt.history.twins.get',
  HistoryRelationshipGet: 'odt.history.relationships.get',
  HistoryRelationshipsList: 'odt.history.relationships.list',
  HistoryRelationshipsIncoming: 'odt.history.relationships.incoming',
  HistoryPropertyValues: 'odt.history.values',
  HistoryQuery: 'odt.history.query',
  HistoryPurge: 'odt.history.purge',
  HistoryEvents: 'odt.history.events',
  GraphBatch: 'odt.graph.batch',
  TwinsDeleteCascade: 'odt.twins.delete-cascade',
  TwinsPatchMany: 'odt.twins.patch-many',
  ConnectionsPut: 'odt.connector.connections.put',
  ConnectionsGet: 'odt.connector.connections.get',
  ConnectionsList: 'odt.connector.connections.list',
  ConnectionsDelete: 'odt.connector.connections.delete',
  ConnectionsTest: 'odt.connector.connections.test',
  ConnectionsSend: 'odt.connector.messages',
  ConnectionDeadLettersList: 'odt.connector.deadletters.list',
  ConnectionDeadLettersReplay: 'odt.connector.deadletters.replay',
  /** Import jobs' batches, written by the owning services (create-only, idempotent per job and batch). */
  ModelsImport: 'odt.models.import',
  TwinsImport: 'odt.twins.import',
  RelationshipsImport: 'odt.relationships.import',
  ImportJobsCreate: 'odt.jobs.imports.create',
  ImportJobsGet: 'odt.jobs.imports.get',
  ImportJobsList: 'odt.jobs.imports.list',
  ImportJobsDelete: 'odt.jobs.imports.delete',
  ImportJobsCancel: 'odt.jobs.imports.cancel',
  DeleteJobsCreate: 'odt.jobs.deletions.create',
  DeleteJobsGet: 'odt.jobs.deletions.get',
  DeleteJobsList: 'odt.jobs.deletions.list',
  JobsLog: 'odt.jobs.log',
  ExportJobsCreate: 'odt.jobs.exports.create',
  ExportJobsGet: 'odt.jobs.exports.get',
  ExportJobsList: 'odt.jobs.exports.list',
  ExportJobsOutput: 'odt.jobs.exports.output',
} as const;

/**
 * Subjects live under an optional namespace (`NATS_NAMESPACE`), so that several installations, or
 * parallel test runs, can share one NATS server without answering each other's requests.
 */
export function namespaced(namespace: string, subject: string): string {
  return namespace ? `${namespace}.${subject}` : subject;
}

/** Core-NATS broadcast (no reply): a model was created, decommissioned or deleted. */
export const MODEL_CHANGED_SUBJECT = 'odt.notice.model-changed';

export type Subject = (typeof Subjects)[keyof typeof Subjects];

/** Request and reply payload of each subject. */
export interface RpcContracts {
  [Subjects.ModelsCreate]: { request: CreateModelsRequest; reply: ModelData[] };
  [Subjects.ModelsList]: { request: ListModelsRequest; reply: ListModelsReply };
  [Subjects.ModelsGet]: { request: GetModelRequest; reply: ModelData };
  [Subjects.ModelsDecommission]: { request: DecommissionModelRequest; reply: null };
  [Subjects.ModelsDelete]: { request: DeleteModelRequest; reply: null };
  [Subjects.ModelsGetFlattened]: { request: GetFlattenedRequest; reply: GetFlattenedReply };
  [Subjects.TwinsGet]: { request: GetTwinRequest; reply: DigitalTwin };
  [Subjects.TwinsUpsert]: { request: UpsertTwinRequest; reply: DigitalTwin };
  [Subjects.TwinsPatch]: { request: PatchTwinRequest; reply: PatchTwinReply };
  [Subjects.TwinsDelete]: { request: DeleteTwinRequest; reply: null };
  [Subjects.ComponentsGet]: { request: GetComponentRequest; reply: GetComponentReply };
  [Subjects.ComponentsPatch]: { request: PatchComponentRequest; reply: PatchTwinReply };
  [Subjects.TelemetryPublish]: { request: PublishTelemetryRequest; reply: null };
  [Subjects.RelationshipsGet]: { request: RelationshipKey; reply: Relationship };
  [Subjects.RelationshipsUpsert]: { request: UpsertRelationshipRequest; reply: Relationship };
  [Subjects.RelationshipsPatch]: { request: PatchRelationshipRequest; reply: PatchTwinReply };
  [Subjects.RelationshipsDelete]: { request: DeleteRelationshipRequest; reply: null };
  [Subjects.RelationshipsList]: { request: ListRelationshipsRequest; reply: ListPage<Relationship> };
  [Subjects.RelationshipsListIncoming]: { request: ListRelationshipsRequest; reply: ListPage<IncomingRelationship> };
  [Subjects.QueryRun]: { request: QueryRequest; reply: QueryReply };
  [Subjects.RoutesPut]: { request: PutEventRouteRequest; reply: null };
  [Subjects.RoutesGet]: { request: NamedRequest; reply: EventRoute };
  [Subjects.RoutesList]: { request: PageRequest; reply: ListPage<EventRoute> };
  [Subjects.RoutesDelete]: { request: NamedRequest; reply: null };
  [Subjects.EndpointsPut]: { request: PutEndpointRequest; reply: Endpoint };
  [Subjects.EndpointsGet]: { request: NamedRequest; reply: Endpoint };
  [Subjects.EndpointsList]: { request: PageRequest; reply: ListPage<Endpoint> };
  [Subjects.EndpointsDelete]: { request: NamedRequest; reply: null };
  [Subjects.DeadLettersList]: { request: DeadLettersRequest; reply: { value: DeadLetterView[] } };
  [Subjects.DeadLettersReplay]: { request: NamedRequest; reply: ReplayReply };
  [Subjects.HistoryTwinGet]: { request: HistoryTwinRequest; reply: DigitalTwin };
  [Subjects.HistoryRelationshipGet]: { request: HistoryRelationshipRequest; reply: Relationship };
  [Subjects.HistoryRelationshipsList]: { request: HistoryRelationshipsRequest; reply: ListPage<Relationship> };
  [Subjects.HistoryRelationshipsIncoming]: { request: HistoryRelationshipsRequest; reply: ListPage<IncomingRelationship> };
  [Subjects.HistoryPropertyValues]: { request: PropertyHistoryRequest; reply: HistoryPage<PropertyValue | AggregatedValue> };
  [Subjects.HistoryQuery]: { request: HistoryQueryRequest; reply: QueryReply };
  [Subjects.HistoryPurge]: { request: PurgeHistoryRequest; reply: PurgeHistoryReply };
  [Subjects.HistoryEvents]: { request: HistoryEventsRequest; reply: HistoryEventsReply };
  [Subjects.GraphBatch]: { request: GraphBatchRequest; reply: GraphBatchReply };
  [Subjects.TwinsDeleteCascade]: { request: DeleteTwinCascadeRequest; reply: DeleteTwinCascadeReply };
  [Subjects.TwinsPatchMany]: { request: PatchManyRequest; reply: PatchManyReply };
  [Subjects.ConnectionsPut]: { request: PutConnectionRequest; reply: Connection };
  [Subjects.ConnectionsGet]: { request: ConnectionNameRequest; reply: Connection };
  [Subjects.ConnectionsList]: { request: ListConnectionsRequest; reply: ListConnectionsReply };
  [Subjects.ConnectionsDelete]: { request: ConnectionNameRequest; reply: null };
  [Subjects.ConnectionsTest]: { request: TestConnectionRequest; reply: TestConnectionReply };
  [Subjects.ConnectionsSend]: { request: SendConnectionMessagesRequest; reply: SendConnectionMessagesReply };
  [Subjects.ConnectionDeadLettersList]: { request: ConnectionDeadLettersRequest; reply: { value: ConnectionDeadLetter[] } };
  [Subjects.ConnectionDeadLettersReplay]: { request: ConnectionNameRequest; reply: ConnectionReplayReply };
  [Subjects.ModelsImport]: { request: ImportBatchRequest; reply: ImportBatchReply };
  [Subjects.TwinsImport]: { request: ImportBatchRequest; reply: ImportBatchReply };
  [Subjects.RelationshipsImport]: { request: ImportBatchRequest; reply: ImportBatchReply };
  [Subjects.ImportJobsCreate]: { request: CreateImportJobRequest; reply: ImportJob };
  [Subjects.ImportJobsGet]: { request: JobKey; reply: ImportJob };
  [Subjects.ImportJobsList]: { request: ListJobsRequest; reply: { value: ImportJob[]; nextCursor?: string } };
  [Subjects.ImportJobsDelete]: { request: JobKey; reply: null };
  [Subjects.ImportJobsCancel]: { request: JobKey; reply: ImportJob };
  [Subjects.DeleteJobsCreate]: { request: CreateDeleteJobRequest; reply: DeleteJob };
  [Subjects.DeleteJobsGet]: { request: JobKey; reply: DeleteJob };
  [Subjects.DeleteJobsList]: { request: ListJobsRequest; reply: { value: DeleteJob[]; nextCursor?: string } };
  [Subjects.JobsLog]: { request: JobLogRequest; reply: JobLogReply };
  [Subjects.ExportJobsCreate]: { request: CreateExportJobRequest; reply: ExportJob };
  [Subjects.ExportJobsGet]: { request: JobKey; reply: ExportJob };
  [Subjects.ExportJobsList]: { request: ListJobsRequest; reply: { value: ExportJob[]; nextCursor?: string } };
  [Subjects.ExportJobsOutput]: { request: JobKey; reply: ExportOutputReply };
}

export type RequestOf<S extends Subject> = RpcContracts[S]['request'];
export type ReplyOf<S extends Subject> = RpcContracts[S]['reply'];

/** Headers carried on internal requests. */
export const RpcHeaders = {
  RequestId: 'x-request-id',
  /** The authenticated caller (`encodeCaller`). */
  Caller: 'x-odt-caller',
  /** W3C trace context of the call. */
  TraceParent: 'traceparent',
} as const;
