package org.jgluon.gluon.data.vision.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jgluon.engine.Tensor;
import org.junit.jupiter.api.Test;

class ResizeTest {

    /** The repository's tests/data, found from the module directory Maven runs tests in. */
    static Path testData() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("tests").resolve("data");
            if (Files.isDirectory(d.resolve("fashion-mnist-sample")) || Files.isDirectory(d.resolve("resize"))) return d;
        }
        throw new IllegalStateException("tests/data not found above " + Path.of("").toAbsolutePath());
    }

    private static Tensor image(int h, int w, int c, float... v) {
        return Tensor.wrap(v, h, w, c);
    }

    @Test
    void upscale2x2To4x4ByHand() {
        // columns: dx 0 clamps to the first pixel, dx 1 = 3/4·p0 + 1/4·p1, dx 2 = 1/4·p0 + 3/4·p1, dx 3 clamps
        Tensor out = new Resize(4).apply(image(2, 2, 1, 0, 100, 200, 255));
        assertArrayEquals(new int[] {4, 4, 1}, out.shape());
        float[] want = {
            0, 25, 75, 100,
            50, 72, 117, 139,   // 0.75·row0 + 0.25·row1: e.g. 0.75·25 + 0.25·213.75 = 72.19 → 72
            150, 167, 200, 216,
            200, 214, 241, 255};
        assertArrayEquals(want, out.toArray());
    }

    @Test
    void downscaleBy2AveragesEach2x2Block() {
        float[] px = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 255};
        Tensor out = new Resize(2).apply(image(4, 4, 1, px));
        // (0+10+40+50+2)>>2 = 25; (20+30+60+70+2)>>2 = 45; (80+90+120+130+2)>>2 = 105; (100+110+140+255+2)>>2 = 151
        assertArrayEquals(new float[] {25, 45, 105, 151}, out.toArray());
    }

    @Test
    void sameSizeIsTheIdentity() {
        float[] px = new float[5 * 3 * 2];
        for (int i = 0; i < px.length; i++) px[i] = (i * 37) % 256;
        assertArrayEquals(px, new Resize(3, 5).apply(image(5, 3, 2, px)).toArray());
    }

    @Test
    void widthAndHeightOrderIsGluons() {
        Tensor out = new Resize(7, 3).apply(Tensor.zeros(10, 10, 1));
        assertArrayEquals(new int[] {3, 7, 1}, out.shape());
    }

    @Test
    void matchesOpenCvFixturesBitForBit() throws IOException {
        List<String> lines = Files.readAllLines(testData().resolve("resize").resolve("opencv-resize-fixtures.txt"));
        int cases = 0;
        for (int i = 0; i < lines.size(); i += 3) {
            String[] head = lines.get(i).split(" ");
            int h = Integer.parseInt(head[1]), w = Integer.parseInt(head[2]), c = Integer.parseInt(head[3]);
            int oh = Integer.parseInt(head[4]), ow = Integer.parseInt(head[5]);
            Tensor in = Tensor.wrap(floats(lines.get(i + 1)), h, w, c);
            float[] want = floats(lines.get(i + 2));
            Resize r = new Resize(ow, oh);
            Tensor out = r.apply(in);
            assertArrayEquals(new int[] {oh, ow, c}, out.shape(), lines.get(i));
            assertArrayEquals(want, out.toArray(), "OpenCV INTER_LINEAR differs for " + lines.get(i));
            assertArrayEquals(want, r.apply(in).toArray(), "second call (cached tables) differs for " + lines.get(i));
            cases++;
        }
        assertTrue(cases >= 10, "fixture file has " + cases + " cases");
    }

    @Test
    void staysWithinOneOfExactBilinear() {
        // the float oracle: half-pixel centres, clamped edges, exact weights, rounded
        int h = 13, w = 11, oh = 40, ow = 29;
        float[] px = new float[h * w];
        for (int i = 0; i < px.length; i++) px[i] = (i * 97 + 13) % 256;
        float[] got = new Resize(ow, oh).apply(image(h, w, 1, px)).toArray();
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                double fy = Math.max(0, (y + 0.5) * h / oh - 0.5), fx = Math.max(0, (x + 0.5) * w / ow - 0.5);
                int y0 = Math.min((int) fy, h - 1), x0 = Math.min((int) fx, w - 1);
                int y1 = Math.min(y0 + 1, h - 1), x1 = Math.min(x0 + 1, w - 1);
                double ay = Math.min(fy - y0, 1), ax = Math.min(fx - x0, 1);
                if (y0 == h - 1) ay = 0;
                if (x0 == w - 1) ax = 0;
                double v = (1 - ay) * ((1 - ax) * px[y0 * w + x0] + ax * px[y0 * w + x1])
                        + ay * ((1 - ax) * px[y1 * w + x0] + ax * px[y1 * w + x1]);
                assertEquals(v, got[y * ow + x], 1.0, "pixel (" + y + ", " + x + ")");
            }
        }
    }

    @Test
    void resizesABatchImageByImage() {
        float[] a = {0, 100, 200, 255}, b = {255, 0, 0, 255};
        float[] both = new float[8];
        System.arraycopy(a, 0, both, 0, 4);
        System.arraycopy(b, 0, both, 4, 4);
        Resize r = new Resize(3);
        Tensor out = r.apply(Tensor.wrap(both, 2, 2, 2, 1));
        assertArrayEquals(new int[] {2, 3, 3, 1}, out.shape());
        float[] first = r.apply(image(2, 2, 1, a)).toArray(), second = r.apply(image(2, 2, 1, b)).toArray();
        float[] all = out.toArray();
        for (int i = 0; i < 9; i++) {
            assertEquals(first[i], all[i]);
            assertEquals(second[i], all[9 + i]);
        }
    }

    @Test
    void rejectsNonUint8InputAndWrongRank() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Resize(4).apply(image(1, 2, 1, 0.5f, 1f)));
        assertTrue(e.getMessage().contains("uint8") && e.getMessage().contains("before ToTensor"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Resize(4).apply(image(1, 2, 1, 256f, 1f)));
        e = assertThrows(IllegalArgumentException.class, () -> new Resize(4).apply(Tensor.zeros(4, 4)));
        assertTrue(e.getMessage().contains("(4, 4)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Resize(0));
    }

    private static float[] floats(String line) {
        String[] parts = line.trim().split(" ");
        List<Float> v = new ArrayList<>();
        for (String s : parts) v.add(Float.parseFloat(s));
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = v.get(i);
        return out;
    }
}
