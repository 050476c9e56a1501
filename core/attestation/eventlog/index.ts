export { dstackEventDigest, extendRtmr, DSTACK_RUNTIME_EVENT_TYPE } from "./digest";
export {
  RTMR_COUNT,
  RTMR_SIZE,
  RUNTIME_RTMR_INDEX,
  isRuntimeEvent,
  assertRuntimeEventName,
  eventToJson,
  eventLogToJson,
  type TdxEvent,
  type DstackEventJson,
} from "./event";
export { parseEventLog, MAX_EVENT_LOG_EVENTS } from "./parseEventLog";
export { replayRtmrs, replayRtmr, type RtmrValues } from "./replay";
export {
  verifyEventLog,
  verifyFirmwareRtmrs,
  APP_ID_EVENT,
  COMPOSE_HASH_EVENT,
  INSTANCE_ID_EVENT,
  type VerifiedEventLog,
} from "./verifyEventLog";
export { Rtmr3EventLog } from "./rtmr3EventLog";
