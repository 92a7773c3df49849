package dev.loupe.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    @Test
    void defaultsEnvironmentAndFlagsInOrderOfPrecedence() {
        Settings defaults = Settings.from(new String[0], Map.of());
        assertEquals(8080, defaults.port());
        assertEquals(Settings.DEFAULT_IMAGE_MODEL, defaults.defaultImageModel());
        assertFalse(defaults.allowPrivateUrls());
        Settings env = Settings.from(new String[0], Map.of("LOUPE_PORT", "9000", "LOUPE_ALLOW_PRIVATE_URLS", "true"));
        assertEquals(9000, env.port());
        assertTrue(env.allowPrivateUrls());
        Settings flags = Settings.from(new String[] {"--port", "9100", "--image-model=fixture"}, Map.of("LOUPE_PORT", "9000"));
        assertEquals(9100, flags.port());
        assertEquals("fixture", flags.defaultImageModel());
        assertTrue(flags.dataDir().isAbsolute());
    }

    @Test
    void badValuesAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.from(new String[] {"--port", "abc"}, Map.of()))
                .getMessage().contains("--port"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.from(new String[] {"--colour", "red"}, Map.of()))
                .getMessage().contains("unknown flag --colour"));
        assertThrows(IllegalArgumentException.class, () -> Settings.from(new String[] {"--workers", "0"}, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Settings.from(new String[] {"--port"}, Map.of()));
        assertTrue(Settings.usage().contains("LOUPE_MODELS_DIR"));
    }
}
