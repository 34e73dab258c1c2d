package io.ocbridge.core.device;

import io.ocbridge.core.log.Log;
import io.ocbridge.core.route.Cidr;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Brings a device's routes from one set of prefixes to another (a reload, or {@code wg set} over UAPI): the new
 * ones in one batch, the dropped ones in another. A route the kernel refuses is logged and the rest go on: the
 * overlay keeps running with what it could install.
 */
public final class RouteSync {
    private RouteSync() {}

    /** Adds {@code after} minus {@code before} and deletes {@code before} minus {@code after}, through {@code device}. */
    public static void apply(LinkConfigurator link, String device, Set<Cidr> before, Set<Cidr> after, Log log) {
        List<Cidr> added = after.stream().filter(prefix -> !before.contains(prefix)).toList();
        List<Cidr> removed = before.stream().filter(prefix -> !after.contains(prefix)).toList();
        try {
            warnEach(link.replaceRoutes(device, added), "route-add-failed", log);
        } catch (IOException e) {
            log.warn("route-add-failed", "prefixes=" + added.size() + " error=" + e.getMessage());
        }
        try {
            warnEach(link.deleteRoutes(device, removed), "route-delete-failed", log);
        } catch (IOException e) {
            log.warn("route-delete-failed", "prefixes=" + removed.size() + " error=" + e.getMessage());
        }
    }

    private static void warnEach(Map<Cidr, String> refused, String event, Log log) {
        refused.forEach((prefix, why) -> log.warn(event, "prefix=" + prefix + " error=" + why));
    }
}
