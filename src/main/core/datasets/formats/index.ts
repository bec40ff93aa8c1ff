/**
 * Dataset file formats, in and out: detection, per-record parsing, streamed reading and atomic
 * writing of OpenAI messages, ShareGPT, Alpaca, preference pairs and CSV. Pure file and data work;
 * storing examples is the datasets service's job.
 */
export { detectFormat, recordShape, type DetectedFormat } from './detectFormat';
export { sniffFile, type SniffOptions, type SniffResult } from './sniffFile';
export { parseRecord, maxContentChars, type ParseRecordOptions, type ParseResult } from './parseRecord';
export {
  readDatasetFile,
  defaultMaxLineBytes,
  type CsvDelimiter,
  type ReadDatasetItem,
  type ReadDatasetOptions,
} from './readDatasetFile';
export { serializeExample, exampleToRecord, type SerializeOptions, type ToRecordResult } from './serializeExample';
export { writeDatasetFile, type WriteDatasetOptions, type WriteDatasetResult } from './writeDatasetFile';
export { csvHeader, csvEscape, guessCsvMapping, defaultCsvMapping, detectDelimiter } from './csv';
