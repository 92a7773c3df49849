package dev.loupe.inference.face;

import dev.loupe.media.Resampler;
import java.awt.image.BufferedImage;

/**
 * An upright image made ready for a detector ahead of its model call, on whatever thread
 * decoded it: its size, its letterbox and its pixels already scaled into it (the costly part;
 * what is left for the model's thread is laying them out as floats). Kept as bytes, a quarter
 * of the float tensor's size, since many images wait in flight.
 */
public record DetectorInput(int width, int height, Letterbox letterbox, Resampler.Planes scaled) {

    /** The image letterboxed for a detector of input side {@code size}. */
    public static DetectorInput of(BufferedImage upright, int size) {
        Letterbox lb = Letterbox.fit(upright.getWidth(), upright.getHeight(), size);
        return new DetectorInput(upright.getWidth(), upright.getHeight(), lb, lb.scale(upright));
    }
}
