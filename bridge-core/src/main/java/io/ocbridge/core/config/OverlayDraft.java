package io.ocbridge.core.config;

/** An overlay as read, with its reader kept for the checks across overlays. */
record OverlayDraft(OverlayConfig config, MappingReader map) {
}
