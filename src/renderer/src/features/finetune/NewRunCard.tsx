import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Collapsible } from 'radix-ui';
import { ChevronDown, Play, RotateCcw } from 'lucide-react';
import {
  trainableArchitectures,
  type Hyperparams,
  type TargetModule,
  type TrainingDataSource,
  type TrainingRun,
} from '@shared/domain';
import { Badge } from '@renderer/components/ui/Badge';
import { Button } from '@renderer/components/ui/Button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@renderer/components/ui/Card';
import { Input } from '@renderer/components/ui/Input';
import { Label } from '@renderer/components/ui/Label';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@renderer/components/ui/Select';
import { Skeleton } from '@renderer/components/ui/Skeleton';
import { ToggleGroup, ToggleGroupItem } from '@renderer/components/ui/ToggleGroup';
import { cn } from '@renderer/lib/cn';
import { useApi } from '@renderer/lib/useApi';
import { useApiMutation } from '@renderer/lib/useApiMutation';
import { useApiQuery } from '@renderer/lib/useApiQuery';
import { MemoryEstimateLine } from './MemoryEstimateLine';
import { useDatasets } from '@renderer/features/datasets/datasetQueries';
import { useModels } from '@renderer/features/models/modelQueries';
import { fieldErrorsOf, type FieldErrors, type FieldKey } from './fieldErrors';
import {
  advancedFields,
  basicFields,
  dpoBetaField,
  formatNumberInput,
  methodHints,
  methodLabels,
  numericFields,
  overLengthLabels,
  parseNumberInput,
  scheduleLabels,
  targetLabels,
  targetOrder,
  type NumericField,
  type NumericKey,
} from './hyperparamFields';
import { modeKeys, readMode, readRecent, recentKeys, rememberMode, rememberRecent } from './recentValues';
import { DataSummary, DatasetPicker, ModelPicker } from './SourcePickers';
import {
  datasetUnavailableReason,
  defaultDatasetId,
  defaultModelId,
  modelOfRun,
  modelUnavailableReason,
  runMaxLength,
} from './trainingChoices';
import { runsKey } from './trainingQueries';

/** What the form starts with: a past run's settings ("Reuse settings"), or nothing. */
export interface RunPreset {
  name: string;
  /** The run's base model: chosen from the library when a library model has this content (or path). */
  baseModelPath: string;
  baseModelSha256: string;
  data: TrainingDataSource;
  hyperparams: Partial<Hyperparams>;
}

type BaseMode = 'library' | 'path';
type DataMode = 'dataset' | 'file';
const baseModes: readonly BaseMode[] = ['library', 'path'];
const dataModes: readonly DataMode[] = ['dataset', 'file'];

export interface NewRunCardProps {
  preset?: RunPreset | null;
  /** A dataset to start with (from the address, e.g. the Datasets page's "Fine-tune" button). */
  datasetId?: string | null;
  /** A method to start with (from the address: `…/dpo` after adding preference pairs in Compare). */
  method?: 'dpo' | null;
  /** A run is training: only one may, so Start waits. */
  busy: boolean;
  onStarted: (run: TrainingRun) => void;
}

type Schedule = Hyperparams['schedule'];
type Method = Hyperparams['method'];
type OverLength = Hyperparams['overLength'];

/**
 * The "New fine-tune" form: a base model from the library and a dataset (or, for power users, a
 * GGUF path and a JSONL file on the machine running Lathe, remembered for next time), what the run
 * will train on, the usual LoRA settings at a glance and the rest under Advanced. Only settings
 * that differ from the engine's defaults are sent.
 */
export function NewRunCard({
  preset,
  datasetId: routeDatasetId,
  method: routeMethod,
  busy,
  onStarted,
}: NewRunCardProps) {
  const api = useApi();
  const queryClient = useQueryClient();
  const formId = useId();
  const defaults = useApiQuery('training.defaults', {}, { staleTime: Infinity }).data;
  const modelsQuery = useModels();
  const datasetsQuery = useDatasets();
  const models = modelsQuery.data ?? [];
  const datasets = datasetsQuery.data ?? [];

  const [recentModels, setRecentModels] = useState(() => readRecent(recentKeys.baseModel));
  const [recentData, setRecentData] = useState(() => readRecent(recentKeys.dataFile));
  const [name, setName] = useState(preset?.name ?? '');
  /** The estimate says this machine or build cannot train this (UNSUPPORTED). */
  const [unsupported, setUnsupported] = useState(false);
  // Null: not chosen by hand; the form shows its default (the preset's, else the newest usable one).
  const [baseMode, setBaseMode] = useState<BaseMode | null>(() =>
    preset ? null : readMode(modeKeys.baseModel, baseModes, 'library'),
  );
  const [modelId, setModelId] = useState<string | null>(null);
  const [baseModelPath, setBaseModelPath] = useState(preset?.baseModelPath ?? recentModels[0] ?? '');
  const [dataMode, setDataMode] = useState<DataMode>(() =>
    preset
      ? preset.data.kind === 'file'
        ? 'file'
        : 'dataset'
      : routeDatasetId
        ? 'dataset'
        : readMode(modeKeys.data, dataModes, 'dataset'),
  );
  // A preset (Reuse settings) wins over the address.
  const [datasetId, setDatasetId] = useState<string | null>(
    preset ? (preset.data.kind === 'dataset' ? preset.data.datasetId : null) : (routeDatasetId ?? null),
  );
  const [dataPath, setDataPath] = useState(preset?.data.kind === 'file' ? preset.data.path : (recentData[0] ?? ''));
  const [drafts, setDrafts] = useState<Partial<Record<NumericKey, string>>>(() => presetDrafts(preset));
  const [targets, setTargets] = useState<TargetModule[] | null>(preset?.hyperparams.targets ?? null);
  // A preset (Reuse settings) wins over the address, as for the dataset.
  const [method, setMethod] = useState<Method | null>(
    preset ? (preset.hyperparams.method ?? null) : (routeMethod ?? null),
  );
  const [schedule, setSchedule] = useState<Schedule | null>(preset?.hyperparams.schedule ?? null);
  /** A fine-tune of the chosen model to go on from; null: a new adapter. */
  const [initAdapterId, setInitAdapterId] = useState<string | null>(preset?.hyperparams.initAdapterId ?? null);
  const [overLength, setOverLength] = useState<OverLength | null>(preset?.hyperparams.overLength ?? null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [advancedOpen, setAdvancedOpen] = useState(() =>
    advancedFields.some((f) => presetDrafts(preset)[f.key] !== undefined),
  );

  const idOf = (key: FieldKey) => `${formId}-${key}`;
  const clearError = (key: FieldKey) =>
    setErrors((current) => (current[key] ? { ...current, [key]: undefined } : current));

  // A preset's model is found in the library by content; a run on a file outside it reopens as a path.
  const presetModelId = preset ? modelOfRun(models, preset) : null;
  const effectiveBaseMode: BaseMode =
    baseMode ?? (preset && modelsQuery.isSuccess && presetModelId === null ? 'path' : 'library');
  const chosenModelId = defaultModelId(models, trainableArchitectures, modelId ?? presetModelId);
  const chosenModel = models.find((m) => m.id === chosenModelId) ?? null;
  // only a library model's own fine-tunes can be gone on from
  const startFrom = effectiveBaseMode === 'library' ? (chosenModel?.variants.filter((v) => v.available) ?? []) : [];
  const initVariant = startFrom.find((v) => v.adapterId === initAdapterId) ?? null;
  const chosenDatasetId = defaultDatasetId(datasets, datasetId);
  const chosenDataset = datasets.find((d) => d.id === chosenDatasetId) ?? null;

  const start = useApiMutation('training.start', {
    onSuccess: (run, input) => {
      rememberMode(modeKeys.baseModel, input.baseModelId !== undefined ? 'library' : 'path');
      rememberMode(modeKeys.data, input.data.kind);
      if (input.baseModelPath !== undefined) rememberRecent(recentKeys.baseModel, input.baseModelPath);
      if (input.data.kind === 'file') rememberRecent(recentKeys.dataFile, input.data.path);
      setRecentModels(readRecent(recentKeys.baseModel));
      setRecentData(readRecent(recentKeys.dataFile));
      queryClient.setQueryData<TrainingRun[]>(runsKey, (runs) => [run, ...(runs ?? []).filter((r) => r.id !== run.id)]);
      void queryClient.invalidateQueries({ queryKey: runsKey });
      onStarted(run);
    },
    onError: (error, input) => {
      const model = models.find((m) => m.id === input.baseModelId);
      const data = input.data;
      const dataset = data.kind === 'dataset' ? datasets.find((d) => d.id === data.datasetId) : null;
      const next = fieldErrorsOf(error, {
        baseModel: model ? [model.path, model.name] : [input.baseModelPath ?? ''],
        data: data.kind === 'file' ? [data.path] : [dataset?.name ?? ''],
      });
      setErrors(next);
      focusFirst(next);
    },
  });

  const datasetMaxLength = dataMode === 'dataset' ? runMaxLength(chosenDataset?.defaultMaxLength) : null;
  /** A numeric setting as the run will get it: the typed value when it parses, else the default. */
  const settingOf = (key: 'maxLength' | 'evalFraction' | 'batchTokens'): number | null => {
    const field = numericFields.find((f) => f.key === key);
    const draft = drafts[key];
    const parsed = field && draft !== undefined ? parseNumberInput(draft, field) : null;
    return typeof parsed === 'number' ? parsed : (defaults?.[key] ?? null);
  };

  const effectiveTargets = targets ?? defaults?.targets ?? targetOrder;
  // What the memory estimate needs: a usable base model and the settings that change its size.
  const rankDraft = drafts.rank;
  const rankField = numericFields.find((f) => f.key === 'rank');
  const parsedRank = rankDraft !== undefined && rankField ? parseNumberInput(rankDraft, rankField) : null;
  const estimateRank = initVariant?.rank ?? (typeof parsedRank === 'number' ? parsedRank : defaults?.rank);
  const estimateMaxLength = settingOf('maxLength') ?? datasetMaxLength;
  const estimateBatchTokens = settingOf('batchTokens');
  const estimateBase =
    effectiveBaseMode === 'library'
      ? chosenModel && !modelUnavailableReason(chosenModel, trainableArchitectures)
        ? { baseModelId: chosenModel.id }
        : null
      : baseModelPath.trim().startsWith('/') || /^[a-zA-Z]:[\\/]/.test(baseModelPath.trim())
        ? { baseModelPath: baseModelPath.trim() }
        : null;
  const effectiveMethod: Method = method ?? defaults?.method ?? 'sft';
  // Not while a run trains: the estimate asks a training process for the devices, and the form waits anyway.
  const estimateInput =
    !busy && estimateBase && estimateRank !== undefined
      ? {
          ...estimateBase,
          // a dataset's token counts let the estimate plan the window as the run will
          ...(dataMode === 'dataset' && chosenDataset
            ? { data: { kind: 'dataset' as const, datasetId: chosenDataset.id } }
            : {}),
          hyperparams: {
            rank: estimateRank,
            targets: [...effectiveTargets],
            // a run from a fine-tune trains that adapter: its rank and modules
            ...(initVariant ? { initAdapterId: initVariant.adapterId } : {}),
            ...(estimateMaxLength !== null ? { maxLength: estimateMaxLength } : {}),
            // both change the window a GPU run plans
            ...(estimateBatchTokens !== null ? { batchTokens: estimateBatchTokens } : {}),
            overLength: overLength ?? defaults?.overLength ?? 'skip',
            // a preference run's window holds a pair
            ...(effectiveMethod === 'dpo' ? { method: 'dpo' as const } : {}),
          },
        }
      : null;
  const effectiveSchedule = schedule ?? defaults?.schedule ?? 'cosine';
  const effectiveOverLength = overLength ?? defaults?.overLength ?? 'skip';
  /** Rank and alpha are the fine-tune's when the run goes on from one. */
  const lockedValue = (key: NumericKey): number | null =>
    initVariant && (key === 'rank' || key === 'alpha') ? initVariant[key] : null;
  const valueOf = (key: NumericKey) =>
    lockedValue(key) !== null
      ? formatNumberInput(lockedValue(key)!)
      : (drafts[key] ?? formatNumberInput(defaults?.[key]));
  const isChanged = (field: NumericField) => {
    const draft = drafts[field.key];
    if (draft === undefined || !defaults) return false;
    const parsed = parseNumberInput(draft, field);
    return typeof parsed !== 'object' || parsed === null ? (parsed ?? undefined) !== defaults[field.key] : true;
  };
  const advancedChanged =
    advancedFields.filter(isChanged).length +
    (schedule !== null && schedule !== defaults?.schedule ? 1 : 0) +
    (overLength !== null && overLength !== defaults?.overLength ? 1 : 0);
  const anyChanged =
    numericFields.some(isChanged) ||
    advancedChanged > 0 ||
    (targets !== null && !sameTargets(targets, defaults?.targets ?? targetOrder));

  function focusFirst(next: FieldErrors) {
    const order: FieldKey[] = ['baseModel', 'data', 'name', ...numericFields.map((f) => f.key), 'targets'];
    const first = order.find((key) => next[key]);
    if (!first) return;
    if (advancedFields.some((f) => f.key === first) || first === 'schedule' || first === 'overLength')
      setAdvancedOpen(true);
    // After the disclosure has rendered its fields.
    requestAnimationFrame(() => document.getElementById(idOf(first))?.focus());
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy || start.isPending) return;
    const next: FieldErrors = {};
    if (effectiveBaseMode === 'path') {
      if (!baseModelPath.trim()) next.baseModel = 'Enter the absolute path of a GGUF model file.';
    } else if (!chosenModel) {
      next.baseModel = 'Add a model on the Models page first, or use a GGUF path.';
    } else {
      const reason = modelUnavailableReason(chosenModel, trainableArchitectures);
      if (reason) next.baseModel = `${reason}: choose another model.`;
    }
    if (dataMode === 'file') {
      if (!dataPath.trim()) next.data = 'Enter the absolute path of a JSONL file of chat examples.';
    } else if (!chosenDataset) {
      next.data = 'Create or import a dataset on the Datasets page first, or use a JSONL file.';
    } else if (datasetUnavailableReason(chosenDataset)) {
      next.data = `"${chosenDataset.name}" has no examples yet: add some, or choose another dataset.`;
    }
    const hyperparams: Partial<Hyperparams> = {};
    for (const field of numericFields) {
      // β only means something to a preference run
      if (field.key === 'dpoBeta' && effectiveMethod !== 'dpo') continue;
      const draft = drafts[field.key];
      if (draft === undefined) continue;
      const parsed = parseNumberInput(draft, field);
      if (parsed !== null && typeof parsed === 'object') next[field.key] = parsed.error;
      // Empty: the default (or, for optional fields, the engine's automatic choice).
      else if (parsed !== null && parsed !== defaults?.[field.key]) hyperparams[field.key] = parsed;
    }
    if (targets && !sameTargets(targets, defaults?.targets ?? targetOrder)) hyperparams.targets = targets;
    if (schedule && schedule !== defaults?.schedule) hyperparams.schedule = schedule;
    if (overLength && overLength !== defaults?.overLength) hyperparams.overLength = overLength;
    if (effectiveMethod !== (defaults?.method ?? 'sft')) hyperparams.method = effectiveMethod;
    if (initVariant) hyperparams.initAdapterId = initVariant.adapterId;
    // An empty Max length trains to the dataset's token budget when it has one.
    if (hyperparams.maxLength === undefined && datasetMaxLength !== null) hyperparams.maxLength = datasetMaxLength;
    setErrors(next);
    if (Object.keys(next).length > 0) {
      focusFirst(next);
      return;
    }
    start.mutate({
      ...(name.trim() ? { name: name.trim() } : {}),
      ...(effectiveBaseMode === 'library' && chosenModel
        ? { baseModelId: chosenModel.id }
        : { baseModelPath: baseModelPath.trim() }),
      data:
        dataMode === 'dataset' && chosenDataset
          ? { kind: 'dataset', datasetId: chosenDataset.id }
          : { kind: 'file', path: dataPath.trim() },
      ...(Object.keys(hyperparams).length > 0 ? { hyperparams } : {}),
    });
  };

  const reset = () => {
    setDrafts({});
    setTargets(null);
    setSchedule(null);
    setOverLength(null);
    setErrors((current) => ({ name: current.name, baseModel: current.baseModel, data: current.data }));
  };

  const where = api.transport === 'ipc' ? 'this computer' : 'the machine running the Lathe server';

  const numberInput = (field: NumericField, compact = false) => (
    <Field
      key={field.key}
      id={idOf(field.key)}
      label={field.label}
      hint={field.hint}
      compactHint={compact}
      error={errors[field.key]}
      changed={isChanged(field)}
      className={
        compact
          ? field.key === 'learningRate' || field.key === 'maxLength' || field.key === 'dpoBeta'
            ? 'col-span-3'
            : 'col-span-2'
          : undefined
      }
    >
      {(describedBy) => (
        <Input
          id={idOf(field.key)}
          name={field.key}
          inputMode={field.integer ? 'numeric' : 'decimal'}
          autoComplete="off"
          spellCheck={false}
          value={valueOf(field.key)}
          disabled={lockedValue(field.key) !== null}
          placeholder={
            field.key === 'maxLength' && datasetMaxLength !== null ? `${datasetMaxLength} (dataset)` : field.placeholder
          }
          onChange={(event) => {
            const value = event.target.value;
            setDrafts((current) => ({ ...current, [field.key]: value }));
            clearError(field.key);
          }}
          aria-invalid={errors[field.key] ? true : undefined}
          aria-describedby={describedBy}
          className="h-8 tabular-nums"
        />
      )}
    </Field>
  );

  return (
    <Card aria-labelledby={`${formId}-title`}>
      <CardHeader>
        <CardTitle id={`${formId}-title`}>New fine-tune</CardTitle>
        <CardDescription>Train a LoRA adapter on your chat examples. The defaults suit most runs.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} noValidate className="flex flex-col gap-4" aria-labelledby={`${formId}-title`}>
          <Field
            id={idOf('baseModel')}
            label="Base model"
            hint={
              effectiveBaseMode === 'path'
                ? `Absolute path of a .gguf file on ${where}.`
                : 'A model of your library; its adapter will be listed under it.'
            }
            error={errors.baseModel}
            aside={
              <ModeSwitch
                label={effectiveBaseMode === 'path' ? 'Choose from the library' : 'Use a GGUF path'}
                onClick={() => {
                  setBaseMode(effectiveBaseMode === 'path' ? 'library' : 'path');
                  clearError('baseModel');
                }}
              />
            }
          >
            {(describedBy) =>
              effectiveBaseMode === 'path' ? (
                <PathInput
                  id={idOf('baseModel')}
                  name="baseModelPath"
                  value={baseModelPath}
                  recent={recentModels}
                  placeholder="/path/to/model.gguf"
                  invalid={!!errors.baseModel}
                  describedBy={describedBy}
                  onChange={(value) => {
                    setBaseModelPath(value);
                    clearError('baseModel');
                  }}
                />
              ) : modelsQuery.isPending ? (
                <Skeleton className="h-11" />
              ) : (
                <ModelPicker
                  id={idOf('baseModel')}
                  models={models}
                  value={chosenModelId}
                  invalid={!!errors.baseModel}
                  describedBy={describedBy}
                  onChange={(id) => {
                    setModelId(id);
                    clearError('baseModel');
                  }}
                />
              )
            }
          </Field>
          {startFrom.length > 0 && (
            <Field
              id={idOf('initAdapter')}
              label="Start from"
              hint={
                initVariant
                  ? `Training goes on from "${initVariant.name}" (its rank ${initVariant.rank}, alpha ${initVariant.alpha} and modules); a DPO run holds to it as its reference. The result is a new adapter.`
                  : 'A new adapter, or one of this model’s fine-tunes to go on from (e.g. preference training on top of an instruction fine-tune).'
              }
            >
              {(describedBy) => (
                <Select
                  value={initVariant?.adapterId ?? 'new'}
                  onValueChange={(v) => setInitAdapterId(v === 'new' ? null : v)}
                >
                  <SelectTrigger
                    id={idOf('initAdapter')}
                    aria-describedby={describedBy}
                    className="w-full"
                    data-testid="init-adapter"
                  >
                    <SelectValue />
                  </SelectTrigger>
                  <SelectContent>
                    <SelectItem value="new">A new adapter</SelectItem>
                    {startFrom.map((v) => (
                      <SelectItem key={v.adapterId} value={v.adapterId}>
                        {v.name}
                      </SelectItem>
                    ))}
                  </SelectContent>
                </Select>
              )}
            </Field>
          )}
          <Field
            id={idOf('data')}
            label="Training data"
            hint={
              dataMode === 'file'
                ? 'JSONL: one {"messages": [...]} conversation per line.'
                : 'Its live examples are copied when the run starts; later edits do not change the run.'
            }
            error={errors.data}
            aside={
              <ModeSwitch
                label={dataMode === 'file' ? 'Choose a dataset' : 'Use a JSONL file'}
                onClick={() => {
                  setDataMode(dataMode === 'file' ? 'dataset' : 'file');
                  clearError('data');
                }}
              />
            }
          >
            {(describedBy) =>
              dataMode === 'file' ? (
                <PathInput
                  id={idOf('data')}
                  name="dataPath"
                  value={dataPath}
                  recent={recentData}
                  placeholder="/path/to/examples.jsonl"
                  invalid={!!errors.data}
                  describedBy={describedBy}
                  onChange={(value) => {
                    setDataPath(value);
                    clearError('data');
                  }}
                />
              ) : datasetsQuery.isPending ? (
                <Skeleton className="h-11" />
              ) : (
                <DatasetPicker
                  id={idOf('data')}
                  datasets={datasets}
                  value={chosenDatasetId}
                  invalid={!!errors.data}
                  describedBy={describedBy}
                  onChange={(id) => {
                    setDatasetId(id);
                    clearError('data');
                  }}
                />
              )
            }
          </Field>
          {dataMode === 'dataset' && chosenDataset && !datasetUnavailableReason(chosenDataset) && (
            <DataSummary
              dataset={chosenDataset}
              modelId={effectiveBaseMode === 'library' ? chosenModelId : null}
              evalFraction={settingOf('evalFraction') ?? 0.05}
              maxLength={settingOf('maxLength') ?? datasetMaxLength}
              overLength={effectiveOverLength}
              method={effectiveMethod}
            />
          )}
          <Field id={idOf('name')} label="Run name" optional error={errors.name}>
            {(describedBy) => (
              <Input
                id={idOf('name')}
                name="name"
                value={name}
                maxLength={200}
                autoComplete="off"
                placeholder="Named after the model and data"
                onChange={(event) => {
                  setName(event.target.value);
                  clearError('name');
                }}
                aria-invalid={errors.name ? true : undefined}
                aria-describedby={describedBy}
              />
            )}
          </Field>

          <fieldset className="flex flex-col gap-3 border-t pt-4">
            <div className="flex items-center justify-between gap-2">
              <legend className="text-[13px] font-semibold">Settings</legend>
              {anyChanged && (
                <Button type="button" variant="ghost" size="sm" className="-my-1 h-7" onClick={reset}>
                  <RotateCcw />
                  Defaults
                </Button>
              )}
            </div>
            <div className="flex flex-col gap-1.5">
              <Segmented
                id={idOf('method')}
                label="Method"
                value={effectiveMethod}
                options={methodLabels}
                onChange={(value) => {
                  setMethod(value);
                  clearError('data');
                }}
                error={errors.method}
              />
              <p className="text-xs text-muted-foreground" data-testid="method-hint">
                {methodHints[effectiveMethod]}
              </p>
            </div>
            <div className="grid grid-cols-6 gap-x-3 gap-y-3">
              {basicFields.map((field) => numberInput(field, true))}
              {effectiveMethod === 'dpo' && numberInput(dpoBetaField, true)}
            </div>
            <div className="flex flex-col gap-1.5">
              <Label id={idOf('targets')} className="text-[13px]">
                Target modules
              </Label>
              <ToggleGroup
                type="multiple"
                disabled={initVariant !== null}
                variant="chips"
                aria-labelledby={idOf('targets')}
                aria-describedby={`${idOf('targets')}-hint`}
                value={effectiveTargets}
                onValueChange={(value) => {
                  // At least one module must train; the last one cannot be switched off.
                  if (value.length === 0) return;
                  setTargets(targetOrder.filter((t) => value.includes(t)));
                  clearError('targets');
                }}
              >
                {targetOrder.map((target) => (
                  <ToggleGroupItem
                    key={target}
                    value={target}
                    aria-label={`${target}: ${targetLabels[target]}`}
                    title={targetLabels[target]}
                    className="min-w-10 font-mono text-xs"
                  >
                    {target}
                  </ToggleGroupItem>
                ))}
              </ToggleGroup>
              {errors.targets ? (
                <p id={`${idOf('targets')}-hint`} className="text-xs text-destructive">
                  {errors.targets}
                </p>
              ) : (
                <p id={`${idOf('targets')}-hint`} className="text-xs text-muted-foreground">
                  q k v o: attention · gate up down: MLP
                </p>
              )}
            </div>
          </fieldset>

          <Collapsible.Root open={advancedOpen} onOpenChange={setAdvancedOpen} className="-mt-1">
            <Collapsible.Trigger asChild>
              <Button
                type="button"
                variant="ghost"
                size="sm"
                className="-mx-2 w-[calc(100%+1rem)] justify-start text-muted-foreground hover:text-foreground"
              >
                <ChevronDown
                  className={cn('transition-transform duration-150', advancedOpen ? 'rotate-0' : '-rotate-90')}
                />
                Advanced
                {advancedChanged > 0 && (
                  <Badge variant="default" className="ml-1">
                    {advancedChanged} changed
                  </Badge>
                )}
              </Button>
            </Collapsible.Trigger>
            <Collapsible.Content className="flex flex-col gap-3 pt-2">
              <div className="flex flex-col gap-3">
                <Segmented
                  id={idOf('schedule')}
                  label="LR schedule"
                  value={effectiveSchedule}
                  options={scheduleLabels}
                  onChange={(value) => setSchedule(value)}
                  error={errors.schedule}
                />
                <Segmented
                  id={idOf('overLength')}
                  label="Too-long examples"
                  value={effectiveOverLength}
                  options={overLengthLabels}
                  onChange={(value) => setOverLength(value)}
                  error={errors.overLength}
                />
              </div>
              <div className="grid grid-cols-2 gap-x-3 gap-y-3">
                {advancedFields.map((field) => numberInput(field))}
              </div>
            </Collapsible.Content>
          </Collapsible.Root>

          <div className="flex flex-col gap-2 border-t pt-4">
            <MemoryEstimateLine input={estimateInput} id={`${formId}-estimate`} onUnsupported={setUnsupported} />
            {busy && (
              <p className="text-xs text-muted-foreground" id={`${formId}-busy`}>
                A fine-tune is running. Start the next one when it finishes, or cancel it.
              </p>
            )}
            <Button
              type="submit"
              // a run would fail for the reason the estimate line gives (the trainer cannot load here…)
              disabled={busy || start.isPending || (unsupported && estimateInput !== null)}
              aria-describedby={busy ? `${formId}-busy` : unsupported ? `${formId}-estimate` : undefined}
            >
              <Play />
              {start.isPending ? 'Starting…' : 'Start fine-tune'}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

function Field({
  id,
  label,
  hint,
  error,
  optional,
  changed,
  compactHint,
  aside,
  className,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  /** Beside the label, on the right: e.g. a switch to another way of giving the value. */
  aside?: ReactNode;
  error?: string | undefined;
  optional?: boolean;
  changed?: boolean;
  /** Show the hint on hover only (it still describes the field to screen readers). */
  compactHint?: boolean;
  className?: string | undefined;
  children: (describedBy: string | undefined) => ReactNode;
}) {
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    // `relative`: the visually hidden hint is positioned, and must not overflow the page's scroller.
    <div className={cn('relative flex min-w-0 flex-col gap-1.5', className)} title={compactHint ? hint : undefined}>
      <div className="flex min-w-0 items-center justify-between gap-2">
        <Label htmlFor={id} className="gap-1.5 text-[13px]">
          {label}
          {optional && <span className="font-normal text-muted-foreground">(optional)</span>}
          {changed && (
            <span className="size-1.5 rounded-full bg-primary" title="Changed from the default">
              <span className="sr-only">(changed)</span>
            </span>
          )}
        </Label>
        {aside}
      </div>
      {children(describedBy)}
      {error ? (
        <p id={`${id}-error`} className="text-xs leading-snug text-destructive [overflow-wrap:anywhere]">
          {error}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className={cn('text-xs leading-snug text-muted-foreground', compactHint && 'sr-only')}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** The quiet switch between the usual way of giving a value and the power-user one. */
function ModeSwitch({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button
      type="button"
      onClick={onClick}
      className="-my-1 shrink-0 rounded-sm px-1 py-0.5 text-xs text-muted-foreground underline-offset-4 outline-none hover:text-foreground hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
    >
      {label}
    </button>
  );
}

function PathInput({
  id,
  name,
  value,
  recent,
  placeholder,
  invalid,
  describedBy,
  onChange,
}: {
  id: string;
  name: string;
  value: string;
  recent: readonly string[];
  placeholder: string;
  invalid: boolean;
  describedBy: string | undefined;
  onChange: (value: string) => void;
}) {
  return (
    <>
      <Input
        id={id}
        name={name}
        value={value}
        list={recent.length > 0 ? `${id}-recent` : undefined}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={describedBy}
        className="font-mono text-[13px]"
      />
      {recent.length > 0 && (
        <datalist id={`${id}-recent`}>
          {recent.map((path) => (
            <option key={path} value={path} />
          ))}
        </datalist>
      )}
    </>
  );
}

function Segmented<T extends string>({
  id,
  label,
  value,
  options,
  onChange,
  error,
}: {
  id: string;
  label: string;
  value: T;
  options: Record<T, string>;
  onChange: (value: T) => void;
  error?: string | undefined;
}) {
  return (
    <div className="flex min-w-0 flex-col gap-1.5">
      <Label id={`${id}-label`} className="text-[13px]">
        {label}
      </Label>
      <ToggleGroup
        id={id}
        type="single"
        variant="segmented"
        aria-labelledby={`${id}-label`}
        value={value}
        onValueChange={(next) => next && onChange(next as T)}
        className="w-full"
      >
        {(Object.keys(options) as T[]).map((option) => (
          <ToggleGroupItem key={option} value={option} className="flex-1 px-2.5">
            {options[option]}
          </ToggleGroupItem>
        ))}
      </ToggleGroup>
      {error && <p className="text-xs text-destructive">{error}</p>}
    </div>
  );
}

function presetDrafts(preset: RunPreset | null | undefined): Partial<Record<NumericKey, string>> {
  const drafts: Partial<Record<NumericKey, string>> = {};
  if (!preset) return drafts;
  for (const field of numericFields) {
    const value = preset.hyperparams[field.key];
    if (value !== undefined) drafts[field.key] = formatNumberInput(value);
  }
  return drafts;
}

function sameTargets(a: readonly TargetModule[], b: readonly TargetModule[]): boolean {
  return a.length === b.length && a.every((t) => b.includes(t));
}
