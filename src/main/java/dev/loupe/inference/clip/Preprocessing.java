package dev.loupe.inference.clip;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * How a model wants its pixels, as its {@code preprocess_cfg.json} states: target size,
 * resize mode ({@code squash} stretches to the size, {@code shortest} scales the short
 * side and centre-crops), interpolation, and per-channel mean/std on [0, 1] values.
 */
public record Preprocessing(int width, int height, ResizeMode resizeMode, String interpolation, float[] mean, float[] std) {

    /** How the image meets the model's input size. */
    public enum ResizeMode {
        /** Stretched to the size, aspect ratio lost. */
        SQUASH,
        /** Short side scaled to the size, then centre-cropped. */
        SHORTEST;

        /** As {@code preprocess_cfg.json} spells it. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static ResizeMode named(String name) {
            for (ResizeMode m : values()) if (m.wireName().equals(name.toLowerCase(Locale.ROOT))) return m;
            throw new IllegalArgumentException("resize_mode must be squash or shortest, got: " + name);
        }
    }

    public Preprocessing {
        if (width < 1 || height < 1) throw new IllegalArgumentException("input size must be positive, got " + width + "×" + height);
        if (mean.length != 3 || std.length != 3) throw new IllegalArgumentException("mean and std need 3 channels");
        for (float s : std) if (s == 0) throw new IllegalArgumentException("std must not be 0");
        interpolation = interpolation.toLowerCase(Locale.ROOT);
        dev.loupe.media.Resampler.Filter.named(interpolation); // fail at load, not at the first image
    }

    public static Preprocessing fromConfig(JsonNode cfg) {
        JsonNode size = cfg.path("size");
        int w = size.isArray() ? size.get(0).asInt() : size.asInt(224);
        int h = size.isArray() ? size.get(size.size() > 1 ? 1 : 0).asInt() : w;
        return new Preprocessing(w, h, ResizeMode.named(cfg.path("resize_mode").asText("shortest")), cfg.path("interpolation").asText("bicubic"),
                floats(cfg.path("mean")), floats(cfg.path("std")));
    }

    private static float[] floats(JsonNode arr) {
        if (!arr.isArray() || arr.size() != 3) throw new IllegalArgumentException("mean/std must be arrays of 3 numbers");
        return new float[] {(float) arr.get(0).asDouble(), (float) arr.get(1).asDouble(), (float) arr.get(2).asDouble()};
    }
}
