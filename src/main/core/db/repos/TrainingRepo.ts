import type {
  Adapter,
  Hyperparams,
  JobState,
  TargetModule,
  TrainingDataSource,
  TrainingDeviceReport,
  TrainingMetricPoint,
  TrainingRun,
  TrainingSummary,
} from '../../../../shared/domain';
import type { Db } from '../openDatabase';
import { hyperparamsSchema } from '../../../../shared/domain';

interface RunRow {
  id: string;
  name: string;
  state: JobState;
  job_id: string | null;
  base_model_path: string;
  base_model_sha256: string;
  data_source: string;
  data_sha256: string;
  hyperparams: string;
  summary: string | null;
  error: string | null;
  device: string | null;
  checkpoint_path: string | null;
  step: number;
  total_steps: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

interface AdapterRow {
  id: string;
  name: string;
  path: string;
  base_model_path: string;
  base_model_sha256: string;
  run_id: string | null;
  rank: number;
  alpha: number;
  targets: string;
  size_bytes: number;
  created_at: number;
}

export interface NewRun {
  id: string;
  name: string;
  baseModelPath: string;
  dataSource: TrainingDataSource;
  dataSha256: string;
  hyperparams: Hyperparams;
  checkpointPath: string;
  now: number;
}

/** Persistence of training runs, their metrics and the adapters they produce. */
export class TrainingRepo {
  constructor(private readonly db: Db) {}

  insertRun(run: NewRun): void {
    this.db
      .prepare(
        `INSERT INTO training_runs (id, name, state, base_model_path, base_model_sha256, data_source, data_sha256,
           hyperparams, checkpoint_path, created_at, updated_at)
         VALUES (?, ?, 'queued', ?, '', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.id,
        run.name,
        run.baseModelPath,
        JSON.stringify(run.dataSource),
        run.dataSha256,
        JSON.stringify(run.hyperparams),
        run.checkpointPath,
        run.now,
        run.now,
      );
  }

  getRun(id: string): (TrainingRun & { checkpointPath: string | null; dataSha256: string }) | undefined {
    const row = this.db.prepare('SELECT * FROM training_runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && toRun(row);
  }

  listRuns(limit = 200): TrainingRun[] {
    return (
      this.db.prepare('SELECT * FROM training_runs ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit) as RunRow[]
    ).map(toRun);
  }

  update(
    id: string,
    fields: Partial<{
      state: JobState;
      jobId: string | null;
      baseModelSha256: string;
      step: number;
      totalSteps: number;
      summary: TrainingSummary | null;
      error: { code: string; message: string } | null;
      device: TrainingDeviceReport | null;
      finishedAt: number | null;
    }>,
  ): void {
    const columns: Record<string, unknown> = {};
    if (fields.state !== undefined) columns.state = fields.state;
    if (fields.jobId !== undefined) columns.job_id = fields.jobId;
    if (fields.baseModelSha256 !== undefined) columns.base_model_sha256 = fields.baseModelSha256;
    if (fields.step !== undefined) columns.step = fields.step;
    if (fields.totalSteps !== undefined) columns.total_steps = fields.totalSteps;
    if (fields.summary !== undefined) columns.summary = fields.summary && JSON.stringify(fields.summary);
    if (fields.error !== undefined) columns.error = fields.error && JSON.stringify(fields.error);
    if (fields.device !== undefined) columns.device = fields.device && JSON.stringify(fields.device);
    if (fields.finishedAt !== undefined) columns.finished_at = fields.finishedAt;
    columns.updated_at = Date.now();
    const sets = Object.keys(columns).map((c) => `${c} = @${c}`);
    this.db.prepare(`UPDATE training_runs SET ${sets.join(', ')} WHERE id = @id`).run({ ...columns, id });
  }

  /** Runs left queued or running by a previous process become interrupted; returns how many. */
  interruptUnfinished(now: number): number {
    return this.db
      .prepare(
        `UPDATE training_runs SET state = 'interrupted', updated_at = ?, finished_at = ? WHERE state IN ('queued', 'running')`,
      )
      .run(now, now).changes;
  }

  addMetric(runId: string, point: TrainingMetricPoint): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO training_metrics (run_id, step, epoch, train_loss, eval_loss, learning_rate, tokens_per_second, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        runId,
        point.step,
        point.epoch,
        point.trainLoss,
        point.evalLoss,
        point.learningRate,
        point.tokensPerSecond,
        Date.now(),
      );
  }

  metrics(runId: string): TrainingMetricPoint[] {
    return this.db
      .prepare(
        `SELECT step, epoch, train_loss AS trainLoss, eval_loss AS evalLoss, learning_rate AS learningRate,
             tokens_per_second AS tokensPerSecond FROM training_metrics WHERE run_id = ? ORDER BY step`,
      )
      .all(runId) as TrainingMetricPoint[];
  }

  insertAdapter(adapter: Adapter): void {
    this.db
      .prepare(
        `INSERT INTO adapters (id, name, path, base_model_path, base_model_sha256, run_id, rank, alpha, targets, size_bytes, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        adapter.id,
        adapter.name,
        adapter.path,
        adapter.baseModelPath,
        adapter.baseModelSha256,
        adapter.runId,
        adapter.rank,
        adapter.alpha,
        JSON.stringify(adapter.targets),
        adapter.sizeBytes,
        adapter.createdAt,
      );
  }

  adapters(filter: { baseModelSha256?: string } = {}): Adapter[] {
    const rows = (
      filter.baseModelSha256
        ? this.db
            .prepare('SELECT * FROM adapters WHERE base_model_sha256 = ? ORDER BY created_at DESC')
            .all(filter.baseModelSha256)
        : this.db.prepare('SELECT * FROM adapters ORDER BY created_at DESC').all()
    ) as AdapterRow[];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      path: r.path,
      baseModelPath: r.base_model_path,
      baseModelSha256: r.base_model_sha256,
      runId: r.run_id,
      rank: r.rank,
      alpha: r.alpha,
      targets: JSON.parse(r.targets) as TargetModule[],
      sizeBytes: r.size_bytes,
      createdAt: r.created_at,
    }));
  }
}

function toRun(row: RunRow): TrainingRun & { checkpointPath: string | null; dataSha256: string } {
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    jobId: row.job_id,
    baseModelPath: row.base_model_path,
    baseModelSha256: row.base_model_sha256,
    dataSource: JSON.parse(row.data_source) as TrainingDataSource,
    // runs stored before a setting existed get its default (e.g. `method: 'sft'`)
    hyperparams: { ...hyperparamsSchema.parse({}), ...(JSON.parse(row.hyperparams) as Partial<Hyperparams>) },
    step: row.step,
    totalSteps: row.total_steps,
    resumable: false,
    summary: row.summary ? (JSON.parse(row.summary) as TrainingSummary) : null,
    error: row.error ? (JSON.parse(row.error) as { code: string; message: string }) : null,
    device: row.device ? (JSON.parse(row.device) as TrainingDeviceReport) : null,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    checkpointPath: row.checkpoint_path,
    dataSha256: row.data_sha256,
  };
}
