package dev.loupe.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class InlineJpegTest {
    @Test
    void scalesTheLongSideDownToTheBoundKeepingTheAspect() {
        BufferedImage tall = new BufferedImage(600, 2400, BufferedImage.TYPE_INT_RGB);
        BufferedImage sent = StandIn.jpeg(InlineJpeg.base64(tall, 800));
        assertEquals(200, sent.getWidth());
        assertEquals(800, sent.getHeight());
    }

    @Test
    void leavesAnImageWithinTheBoundItsSize() {
        BufferedImage small = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        BufferedImage sent = StandIn.jpeg(InlineJpeg.base64(small, 1024));
        assertEquals(300, sent.getWidth());
        assertEquals(200, sent.getHeight());
    }

    @Test
    void flattensTransparencyOntoWhite() {
        BufferedImage clear = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB); // fully transparent
        BufferedImage sent = StandIn.jpeg(Base64.getEncoder().encodeToString(InlineJpeg.jpeg(clear, 1024)));
        int rgb = sent.getRGB(32, 32);
        assertTrue(((rgb >> 16) & 0xff) > 245 && ((rgb >> 8) & 0xff) > 245 && (rgb & 0xff) > 245, Integer.toHexString(rgb));
    }
}
