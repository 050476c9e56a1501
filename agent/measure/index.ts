export { type MeasurementProvider, type QuoteProviderKind, SIMULATOR_TAINT } from "./provider";
export { createSimulatorProvider, type SimulatorProviderOptions } from "./simulatorProvider";
export { createTsmProvider, DEFAULT_EVENT_LOG_FILE, DEFAULT_RTMR3_PATH, type TsmProviderOptions } from "./tsmProvider";
export { configfsTsmQuote, DEFAULT_TSM_REPORT_ROOT, TDX_TSM_PROVIDER, type ConfigfsTsmQuoteOptions } from "./configfsTsm";
export { nodeTsmFileSystem, type TsmFileSystem } from "./tsmFileSystem";
export { loadEventLogFile, saveEventLogFile } from "./eventLogFile";
export { appMeasurementEvents, measureApp, type MeasureAppResult } from "./measureApp";
export { getBoundQuote } from "./boundQuote";
