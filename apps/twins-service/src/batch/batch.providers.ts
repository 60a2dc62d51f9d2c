import { GraphBatchHandlers } from './graph-batch.handlers';
import { GraphBatchService } from './graph-batch.service';
import { GraphOperations } from './graph-operations';
import { PatchManyService } from './patch-many.service';
import { BatchRelationshipEvents } from './relationship-events';

/** Providers and handlers of the batch writes (atomic graph batches, cascade deletes, patch-many). */
export const batchProviders = [GraphOperations, BatchRelationshipEvents, GraphBatchService, PatchManyService];
export const batchControllers = [GraphBatchHandlers];
