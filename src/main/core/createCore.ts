import { existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AppInfo, InferenceStatus } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { appHandlers } from './app/appHandlers';
import { migrations } from './db/migrations';
import { Checkpointer } from './db/Checkpointer';
import { openDatabase, type Db } from './db/openDatabase';
import { JobsRepo } from './db/repos/JobsRepo';
import { SettingsRepo } from './db/repos/SettingsRepo';
import { ApiServer, type ApiSettingsStore } from './api/ApiServer';
import { createDispatch, type Dispatch } from './dispatch';
import { EventBus } from './EventBus';
import { JobRunner } from './jobs/JobRunner';
import { jobsHandlers } from './jobs/jobsHandlers';
import type { Logger } from './logger';
import { SettingsService } from './settings/SettingsService';
import { settingsHandlers } from './settings/settingsHandlers';
import { TrainingRepo } from './db/repos/TrainingRepo';
import type { TrainerLauncher } from './training/TrainerLauncher';
import { trainingHandlers } from './training/trainingHandlers';
import { AdapterMerger } from './training/AdapterMerger';
import { TrainingService, type MachineGpu } from './training/TrainingService';
import { ChatRepo } from './chat/ChatRepo';
import { chatHandlers } from './chat/chatHandlers';
import { ChatService } from './chat/ChatService';
import { inferenceHandlers } from './inference/inferenceHandlers';
import { InferenceClient, type InferenceLauncher } from './inference/InferenceClient';
import { InferenceService, type Inference, type InferenceConfig, type ModelSource } from './inference/InferenceService';
import { ModelsRepo } from './models/ModelsRepo';
import { modelsHandlers } from './models/modelsHandlers';
import { ModelsService } from './models/ModelsService';
import { downloadHandlers } from './downloads/downloadHandlers';
import { DownloadService, type DownloadsConfig } from './downloads/DownloadService';
import { hardwareHandlers } from './hardware/hardwareHandlers';
import { fitPath, HardwareService, type Hardware } from './hardware/HardwareService';
import { DatasetsRepo } from './datasets/DatasetsRepo';
import { datasetsHandlers } from './datasets/datasetsHandlers';
import { DatasetsService } from './datasets/DatasetsService';
import { llamaTokenCounter } from './datasets/tokenizeDataset';
import { CompareRepo } from './compare/CompareRepo';
import { compareHandlers } from './compare/compareHandlers';
import { CompareService } from './compare/CompareService';
import { ComparisonDatasets } from './compare/ComparisonDatasets';
import { PreferenceService } from './compare/PreferenceService';

export interface CoreConfig {
  /** Folder for the database, models and adapters. Created if missing. */
  dataDir: string;
  logger: Logger;
  /** Which process hosts the core; reported by `app.info`. */
  host: AppInfo['host'];
  appVersion: string;
  electronVersion?: string | null;
  /** better-sqlite3 binary for the running ABI (Electron passes its own copy). */
  sqliteNativeBinding?: string;
  /** Minimum interval between two progress events of one job, in ms (default 250). */
  progressIntervalMs?: number;
  /**
   * Starts the training process: Electron's utilityProcess in the app, child_process.fork of
   * out/main/trainer.js elsewhere. The main process never loads the trainer addon itself.
   */
  trainerLauncher: TrainerLauncher;
  /** Absolute path of the built trainer addon (lathe_trainer.node), handed to the process. */
  trainerAddonPath?: string;
  /** Seconds between two training checkpoints (default 300). */
  checkpointEverySeconds?: number;
  /**
   * Starts the model runtime process (out/main/inference.js): Electron's utilityProcess in the app,
   * child_process.fork elsewhere, with `inferenceProcessEnv`. Without it the model runs inside this
   * process (benchmarks compare the two).
   */
  inferenceLauncher?: InferenceLauncher;
  /** Where the local API listens (loopback by default). */
  apiHost?: string;
  /** The chat engine: GPU or CPU, threads, context size and parallel sequences (see InferenceConfig). */
  inference?: InferenceConfig;
  /** Model downloads: the Hugging Face endpoint (default https://huggingface.co) and retry policy. */
  downloads?: DownloadsConfig;
  /** The machine's hardware probe and fit estimates; default: node-llama-cpp's, where the model runs. */
  hardware?: Hardware;
  /** How long a fine-tune estimate waits for that probe, ms (default 10,000). */
  gpuProbeWaitMs?: number;
}

/** The settings key of the local API's switch, port and key. */
const localApiKey = 'localApi';

export interface Core {
  readonly dispatch: Dispatch;
  readonly events: EventBus;
  readonly jobs: JobRunner;
  readonly settings: SettingsService;
  readonly training: TrainingService;
  readonly models: ModelsService;
  readonly inference: Inference;
  readonly chat: ChatService;
  readonly downloads: DownloadService;
  readonly hardware: Hardware;
  readonly datasets: DatasetsService;
  readonly compare: CompareService;
  readonly preferences: PreferenceService;
  /** The local OpenAI-compatible API. */
  readonly api: ApiServer;
  readonly db: Db;
  /** Copies the write-ahead log into the database from a worker thread (see Checkpointer). */
  readonly checkpointer: Checkpointer;
  /** Stops running jobs (they become `interrupted`) and closes the database. Idempotent. */
  close(): Promise<void>;
}

/** Builds the whole application from injected configuration. Never touches Electron. */
export function createCore(config: CoreConfig): Core {
  const { logger } = config;
  mkdirSync(config.dataDir, { recursive: true });
  const dbFile = join(config.dataDir, 'lathe.db');
  const db = openDatabase(dbFile, {
    logger,
    ...(config.sqliteNativeBinding ? { nativeBinding: config.sqliteNativeBinding } : {}),
  });
  // Commits stay short: the write-ahead log is copied into the database from a worker thread.
  const checkpointer = new Checkpointer(db, dbFile, { logger, nativeBinding: config.sqliteNativeBinding });
  const events = new EventBus();
  const jobs = new JobRunner({
    repo: new JobsRepo(db),
    events,
    logger,
    ...(config.progressIntervalMs !== undefined ? { progressIntervalMs: config.progressIntervalMs } : {}),
  });
  const settingsRepo = new SettingsRepo(db);
  const settings = new SettingsService(settingsRepo, events, config.dataDir);
  const training = new TrainingService({
    repo: new TrainingRepo(db),
    jobs,
    events,
    logger,
    launcher: config.trainerLauncher,
    dataDir: config.dataDir,
    ...(config.trainerAddonPath ? { addonPath: config.trainerAddonPath } : {}),
    ...(config.checkpointEverySeconds !== undefined ? { checkpointEverySeconds: config.checkpointEverySeconds } : {}),
    // Late bound: datasets are built after training (they need the model library).
    datasetSnapshot: (datasetId): ReturnType<DatasetsService['trainingSnapshot']> =>
      datasets.trainingSnapshot(datasetId),
    // Late bound too: the library is built after training (it lists training's adapters).
    resolveModel: (modelId) => library().resolve(modelId),
    datasetTokenCounts: (datasetId, modelId): ReturnType<DatasetsService['tokenCounts']> =>
      datasets.tokenCounts(datasetId, modelId),
    ...(config.gpuProbeWaitMs !== undefined ? { machineGpuWaitMs: config.gpuProbeWaitMs } : {}),
    // Late bound: the probe belongs to the model runtime, built below.
    machineGpu: async (): Promise<MachineGpu | null> => {
      const { gpu } = await hardware.hardware();
      return gpu.type === 'none' ? null : { type: gpu.type, names: gpu.names };
    },
  });
  // Inference resolves models through the library, and the library frees a model through inference
  // before deleting it; the late binding breaks the cycle.
  let models: ModelsService | null = null;
  const library = (): ModelsService => models as ModelsService;
  // What clients see of the engine status: the engine's own, plus the blind comparisons' holds
  // (bound once compare exists: it is built after inference, which it uses).
  let blindHolds: () => string[] = () => [];
  const shownStatus = (status: InferenceStatus): InferenceStatus => {
    const holds = blindHolds();
    return holds.length > 0 ? { ...status, generating: [...status.generating, ...holds] } : status;
  };
  const inferenceEvents: Pick<EventBus, 'emit'> = {
    emit: (event, payload) =>
      event === 'inference.status'
        ? events.emit('inference.status', shownStatus(payload as InferenceStatus))
        : events.emit(event, payload),
  };
  const inferenceOptions = {
    config: config.inference ?? {},
    events: inferenceEvents,
    logger,
    resolveModel: (id: string) => library().resolve(id),
    resolveAdapters: (model: ModelSource, refs: readonly { adapterId: string; scale: number }[]) =>
      library().resolveAdapters(model, refs),
  };
  const inference: Inference = config.inferenceLauncher
    ? new InferenceClient({ ...inferenceOptions, launcher: config.inferenceLauncher })
    : new InferenceService(inferenceOptions);
  models = new ModelsService({
    repo: new ModelsRepo(db),
    jobs,
    events,
    logger,
    adapters: (filter) => training.adapters(filter),
    release: (id) => inference.release(id),
  });
  const merger = new AdapterMerger({
    jobs,
    logger,
    launcher: config.trainerLauncher,
    ...(config.trainerAddonPath ? { addonPath: config.trainerAddonPath } : {}),
    adapter: (id) => training.adapters().find((a) => a.id === id),
    base: (adapter) => {
      const model = models?.list().find((m) => m.sha256 === adapter.baseModelSha256 && !m.missing);
      if (model) return { path: model.path, name: model.name };
      return existsSync(adapter.baseModelPath)
        ? { path: adapter.baseModelPath, name: basename(adapter.baseModelPath).replace(/\.gguf$/i, '') }
        : null;
    },
    modelsDir: () => settings.modelsDir(),
    addToLibrary: async (path, name) => {
      const { job } = await library().import({ path, name });
      const done = await jobs.wait(job.id);
      if (done.state !== 'succeeded') {
        throw new AppError(
          done.error?.code ?? 'INTERNAL',
          `The merged model was written to ${path} but could not be added to the library: ${done.error?.message ?? done.state}`,
        );
      }
      return (done.result as { modelId: string }).modelId;
    },
  });
  const downloads = new DownloadService({
    config: config.downloads ?? {},
    jobs,
    models,
    modelsDir: () => settings.modelsDir(),
    huggingFaceToken: () => settings.huggingFaceToken(),
    logger,
  });
  const modelPath = (id: string): string => library().resolve(id).path;
  const hardware: Hardware =
    config.hardware ??
    (inference instanceof InferenceClient
      ? {
          // GPU probes belong to the process that holds the GPU: the model process.
          hardware: () => inference.hardware(),
          fit: async (input) =>
            inference.fit({
              path: fitPath(input, modelPath),
              contextSize: input.contextSize,
              gpuLayers: input.gpuLayers,
            }),
        }
      : new HardwareService({ llama: () => inference.llama(), resolveModelPath: modelPath }));
  const chatRepo = new ChatRepo(db);
  const datasets = new DatasetsService({
    repo: new DatasetsRepo(db),
    jobs,
    events,
    logger,
    models,
    openTokenCounter: llamaTokenCounter(() => inference.llama()),
    checkpoint: () => checkpointer.checkpoint(),
  });
  const chat = new ChatService({ repo: chatRepo, inference, models, datasets, events, logger });
  const compareRepo = new CompareRepo(db);
  const comparisonDatasets = new ComparisonDatasets({ db, service: datasets, repo: new DatasetsRepo(db) });
  const compare = new CompareService({
    repo: compareRepo,
    inference,
    models,
    jobs,
    events,
    logger,
    sequences: config.inference?.sequences ?? 2,
    datasets: comparisonDatasets,
    onBlindHoldsChanged: () => events.emit('inference.status', shownStatus(inference.status())),
  });
  blindHolds = () => compare.blindHolds();
  const preferences = new PreferenceService({ repo: compareRepo, chat: chatRepo, datasets });
  // The local OpenAI-compatible API: off until switched on in Settings; then it comes back at launch.
  const api = new ApiServer({
    inference,
    models: () => models?.list() ?? [],
    store: {
      get: () => (settingsRepo.all()[localApiKey] as ReturnType<ApiSettingsStore['get']>) ?? null,
      set: (value) => settingsRepo.set(localApiKey, value),
    },
    logger,
    ...(config.apiHost ? { host: config.apiHost } : {}),
  });
  const apiStarted = api.resume();
  const sqliteVersion = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;

  const info = (): AppInfo => ({
    name: 'Lathe',
    version: config.appVersion,
    host: config.host,
    platform: process.platform,
    arch: process.arch,
    dataDir: config.dataDir,
    versions: { node: process.versions.node, electron: config.electronVersion ?? null, sqlite: sqliteVersion },
    schemaVersion: migrations.length,
  });

  const dispatch = createDispatch(
    {
      ...appHandlers(info),
      ...settingsHandlers(settings),
      ...jobsHandlers(jobs),
      ...trainingHandlers(training),
      'adapters.merge': (input) => merger.start(input),
      ...modelsHandlers(models),
      ...inferenceHandlers(inference),
      'inference.status': () => shownStatus(inference.status()),
      ...chatHandlers(chat),
      ...downloadHandlers(downloads),
      ...hardwareHandlers(hardware),
      ...datasetsHandlers(datasets),
      ...compareHandlers(compare, preferences),
      'api.status': () => api.status(),
      'api.configure': (input) => api.configure(input),
    },
    logger,
  );

  let closing: Promise<void> | null = null;
  // Models imported before reasoning was recorded: read their templates in the background.
  const reasoningRead = models
    .readReasoning(() => closing !== null)
    .catch((error: unknown) => {
      logger.warn('could not read the reasoning of older models', { error });
    });
  const close = () =>
    (closing ??= (async () => {
      await reasoningRead;
      await apiStarted;
      await api.close();
      await chat.close();
      await compare.close();
      await inference.close();
      await jobs.close();
      await datasets.close();
      await checkpointer.stop();
      db.close();
      logger.info('core closed');
    })());

  logger.info('core started', { dataDir: config.dataDir, host: config.host });
  return {
    dispatch,
    events,
    jobs,
    settings,
    training,
    models,
    inference,
    chat,
    downloads,
    hardware,
    compare,
    preferences,
    api,
    datasets,
    db,
    checkpointer,
    close,
  };
}
