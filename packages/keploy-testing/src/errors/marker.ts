// The brand check every toolkit error uses, shared with @tta/primitives.
export { TtaError } from '@tta/primitives';
export { hasMarker as hasMarkerOf } from '@tta/primitives/instrumentation';
