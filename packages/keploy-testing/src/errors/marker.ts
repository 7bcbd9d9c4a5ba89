// The brand check every toolkit error uses, shared with @tta/primitives.
export { TtaError, hasMarker as hasMarkerOf } from '@tta/primitives';
