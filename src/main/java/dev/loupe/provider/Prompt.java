package dev.loupe.provider;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;

/**
 * One question to a vision-language model.
 *
 * @param instruction what to do ({@code description_prompt}); at most {@value #MAX_INSTRUCTION_CHARS} characters
 * @param images      upright images, sent inline as JPEG after downscaling; at most {@value #MAX_IMAGES}
 * @param shape       the reply's form
 * @param config      sampling settings
 */
public record Prompt(String instruction, List<BufferedImage> images, ResponseShape shape, GenerationConfig config) {
    public static final int MAX_INSTRUCTION_CHARS = 32_000;
    public static final int MAX_IMAGES = 16;

    public Prompt {
        Objects.requireNonNull(instruction, "instruction");
        if (instruction.isBlank()) throw new IllegalArgumentException("the instruction is empty");
        if (instruction.length() > MAX_INSTRUCTION_CHARS) {
            throw new IllegalArgumentException("the instruction has " + instruction.length() + " characters; at most " + MAX_INSTRUCTION_CHARS);
        }
        images = List.copyOf(images);
        if (images.size() > MAX_IMAGES) throw new IllegalArgumentException(images.size() + " images in one prompt; at most " + MAX_IMAGES);
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(config, "config");
    }
}
