package dev.loupe.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The records one java.util.logging logger publishes while a test runs, at every level; close it to detach. */
public final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final Level before;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
        this.before = logger.getLevel();
    }

    public static LogCapture of(String loggerName) {
        Logger l = Logger.getLogger(loggerName);
        LogCapture c = new LogCapture(l);
        c.setLevel(Level.ALL);
        l.setLevel(Level.ALL); // FINE records too: a test may prove a line is logged at FINE only
        l.addHandler(c);
        return c;
    }

    /** The messages so far, formatted. */
    public List<String> lines() {
        return records.stream().map(r -> r.getLevel() + " " + new java.util.logging.SimpleFormatter().formatMessage(r)).toList();
    }

    /** Waits up to {@code timeout} for a line matching {@code wanted} (lines are written after the response is sent). */
    public String await(Predicate<String> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String l : lines()) if (wanted.test(l)) return l;
            if (System.nanoTime() > deadline) throw new AssertionError("no such log line within " + timeout + "; got:\n" + String.join("\n", lines()));
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(before);
    }
}
