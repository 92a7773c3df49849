package dev.loupe.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cached fixture is reused only while the files that generated it are unchanged. */
class FixturesTest {
    @Test
    void aFixtureGoesStaleWhenItsScriptChanges(@TempDir Path tmp) throws Exception {
        Path script = Files.writeString(tmp.resolve("gen.py"), "print(1)\n");
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("data.json"), "{}");
        assertFalse(Fixtures.fresh(out, script), "output without a stamp (an old cache, or a run that died) is not reused");
        Fixtures.stamp(out, script);
        assertTrue(Fixtures.fresh(out, script));
        Files.writeString(script, "print(2)\n");
        assertFalse(Fixtures.fresh(out, script), "output of the old script is not reused");
    }
}
