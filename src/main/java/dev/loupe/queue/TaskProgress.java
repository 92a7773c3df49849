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

    /** A task's (and its batch's) status; each constant is named as Mixpeek spells it. */
    public enum Status {
        PENDING, PROCESSING, COMPLETED, COMPLETED_WITH_ERRORS, FAILED, CANCELED
    }

    /** The task's status, derived from the counts so it never disagrees with them. */
    public Status status() {
        if (total() == 0) return Status.COMPLETED;
        if (pending + running > 0) return done + failed + running + canceled == 0 ? Status.PENDING : Status.PROCESSING;
        if (canceled > 0) return Status.CANCELED;
        if (failed == 0) return Status.COMPLETED;
        return done == 0 ? Status.FAILED : Status.COMPLETED_WITH_ERRORS;
    }
}
