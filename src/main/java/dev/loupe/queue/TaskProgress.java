package dev.loupe.queue;

import java.util.Map;

/**
 * How far a task's work items have got, and why the failed ones failed.
 *
 * @param canceled items a cancel took off the queue before they started
 * @param failures object id → reason, for the failed items (first few hundred)
 */
public record TaskProgress(int pending, int running, int done, int failed, int canceled, Map<String, String> failures) {

    public int total() {
        return pending + running + done + failed + canceled;
    }

    /** Mixpeek's task status, derived from the counts so it never disagrees with them. */
    public String status() {
        if (total() == 0) return "COMPLETED";
        if (pending + running > 0) return done + failed + running + canceled == 0 ? "PENDING" : "PROCESSING";
        if (canceled > 0) return "CANCELED";
        if (failed == 0) return "COMPLETED";
        return done == 0 ? "FAILED" : "COMPLETED_WITH_ERRORS";
    }
}
