package dev.loupe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The one log format of a running Loupe: {@code time LEVEL logger: message}, one line, nothing a terminal would act on. */
class LogsTest {
    private static String format(Level level, String logger, String message, Throwable thrown) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName(logger);
        r.setThrown(thrown);
        return new Logs.OneLine().format(r);
    }

    @Test
    void aLineHasTheTimeTheLevelTheLoggersShortNameAndTheMessage() {
        String line = format(Level.INFO, "dev.loupe.http.requests", "GET /v1/buckets/{bucket} 200 3.1 ms ns=shop", null);
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d INFO  requests: GET /v1/buckets/\\{bucket} 200 3.1 ms ns=shop\\R"), line);
        assertTrue(format(Level.WARNING, "org.eclipse.jetty.server.Server", "w", null).contains(" WARN  Server: w"));
        assertTrue(format(Level.SEVERE, "x", "e", null).contains(" ERROR x: e"));
    }

    @Test
    void escapesAreDroppedAndAMultiLineMessageIsIndented() {
        String line = format(Level.WARNING, "dev.loupe.ingestion.tasks", "bad \u001b[31mred\u001b[0m\nsecond line\r", null);
        assertTrue(line.endsWith("tasks: bad [31mred[0m\n    second line" + System.lineSeparator()), line);
        assertEquals(-1, line.indexOf('\u001b'));
    }

    @Test
    void onlyAnUnhandledErrorCarriesItsStackTrace() {
        String warned = format(Level.WARNING, "a", "could not", new IllegalStateException("disk full"));
        assertTrue(warned.endsWith("a: could not: java.lang.IllegalStateException: disk full" + System.lineSeparator()), warned);
        String severe = format(Level.SEVERE, "a", "unhandled", new IllegalStateException("bug"));
        assertTrue(severe.contains("java.lang.IllegalStateException: bug\n\tat "), severe);
    }
}
