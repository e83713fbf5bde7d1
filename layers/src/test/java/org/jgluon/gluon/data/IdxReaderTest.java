package org.jgluon.gluon.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path tmp;

    /** A small valid ubyte file: 5 "images" of 3×4. */
    static IdxFile small() {
        byte[] data = new byte[5 * 3 * 4];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7 + 3);
        return new IdxFile("small", IdxFile.UBYTE, new int[] {5, 3, 4}, data);
    }

    static byte[] rawBytes(IdxFile f) {
        byte[] h = IdxWriter.header(f);
        byte[] all = Arrays.copyOf(h, h.length + f.data().length);
        System.arraycopy(f.data(), 0, all, h.length, f.data().length);
        return all;
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        }
        return bos.toByteArray();
    }

    @Test
    void roundTripsRawAndGzipForEveryType() {
        int[][] shapes = {{7}, {2, 3}, {1, 2, 3, 4}, {0, 5}};
        int[] types = {IdxFile.UBYTE, IdxFile.BYTE, IdxFile.SHORT, IdxFile.INT, IdxFile.FLOAT, IdxFile.DOUBLE};
        Random rnd = new Random(1);
        for (int type : types) {
            for (int[] shape : shapes) {
                int n = 1;
                for (int d : shape) n *= d;
                byte[] data = new byte[n * IdxFile.elementSize(type)];
                rnd.nextBytes(data);
                IdxFile f = new IdxFile("x", type, shape, data);
                for (String name : new String[] {"a-idx", "a-idx.gz"}) {
                    Path p = tmp.resolve(IdxFile.typeName(type) + n + name);
                    IdxWriter.write(p, f);
                    IdxFile back = IdxReader.read(p);
                    assertEquals(type, back.type());
                    assertArrayEquals(shape, back.dims(), p.toString());
                    assertArrayEquals(data, back.data(), p.toString());
                }
            }
        }
    }

    @Test
    void decodesValuesBigEndian() {
        // short 0x0102 = 258, int -2, float 1.5, double -0.25
        IdxFile s = new IdxFile("s", IdxFile.SHORT, new int[] {1}, new byte[] {1, 2});
        assertEquals(258f, s.floatAt(0));
        IdxFile i = new IdxFile("i", IdxFile.INT, new int[] {1}, new byte[] {-1, -1, -1, -2});
        assertEquals(-2f, i.floatAt(0));
        int bits = Float.floatToIntBits(1.5f);
        IdxFile f = new IdxFile("f", IdxFile.FLOAT, new int[] {1},
                new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits});
        assertEquals(1.5f, f.floatAt(0));
        long lb = Double.doubleToLongBits(-0.25);
        byte[] d = new byte[8];
        for (int k = 0; k < 8; k++) d[k] = (byte) (lb >>> (56 - 8 * k));
        assertEquals(-0.25f, new IdxFile("d", IdxFile.DOUBLE, new int[] {1}, d).floatAt(0));
        IdxFile u = new IdxFile("u", IdxFile.UBYTE, new int[] {2}, new byte[] {(byte) 200, 7});
        assertArrayEquals(new float[] {200, 7}, u.toTensor().toArray());
        assertEquals(-56f, new IdxFile("b", IdxFile.BYTE, new int[] {1}, new byte[] {(byte) 200}).floatAt(0));
    }

    @Test
    void wrongMagicNamesTheFile() throws IOException {
        byte[] bytes = rawBytes(small());
        bytes[0] = 'P';
        bytes[1] = 'K';
        Path p = tmp.resolve("zip-not-idx");
        Files.write(p, bytes);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("not an IDX file"), e.getMessage());
    }

    @Test
    void unknownTypeAndBadNdim() {
        byte[] bytes = rawBytes(small());
        bytes[2] = 0x0A;
        assertMessage(bytes, "unknown IDX element type 0x0A");
        bytes = rawBytes(small());
        bytes[3] = 0;
        assertMessage(bytes, "0 dimensions");
        bytes[3] = (byte) 200;
        assertMessage(bytes, "200 dimensions");
    }

    @Test
    void truncatedAndOverlongRawFiles() {
        byte[] bytes = rawBytes(small());
        assertMessage(Arrays.copyOf(bytes, bytes.length - 1), "truncated");
        assertMessage(Arrays.copyOf(bytes, 10), "truncated header");
        assertMessage(Arrays.copyOf(bytes, 3), "too short");
        assertMessage(Arrays.copyOf(bytes, bytes.length + 3), "trailing bytes");
    }

    @Test
    void hugeDimsAreRejectedBeforeAllocating() throws IOException {
        byte[] bytes = rawBytes(small());
        // dims (5, 3, 2^31-1): 32 GB claimed by a 76-byte file
        bytes[12] = 0x7F;
        bytes[13] = bytes[14] = bytes[15] = (byte) 0xFF;
        assertMessage(bytes, "more than 2 GB");
        // dims (5, 3, 65536) = 983 040 bytes: allowed by the 2 GB limit, not by a 70-byte gzip
        bytes = rawBytes(small());
        bytes[13] = 1;
        bytes[14] = bytes[15] = 0;
        assertMessage(bytes, "the file should be");
        byte[] gz = gzip(Arrays.copyOf(bytes, 16));
        assertMessage(gz, "cannot come from");
        bytes = rawBytes(small());
        bytes[4] = (byte) 0x80;
        assertMessage(bytes, "negative extent");
    }

    @Test
    void truncatedAndCorruptGzip() throws IOException {
        byte[] gz = gzip(rawBytes(small()));
        assertMessage(Arrays.copyOf(gz, gz.length / 2), "truncated");
        byte[] bad = gz.clone();
        bad[12] ^= 0x55;
        bad[13] ^= 0x55;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(bad, "bad.gz"));
        assertTrue(e.getMessage().startsWith("IdxReader: bad.gz: "), e.getMessage());
        assertEquals(small().count(), IdxReader.read(gz, "ok.gz").count());
        byte[] extra = gzip(Arrays.copyOf(rawBytes(small()), rawBytes(small()).length + 5));
        assertMessage(extra, "trailing data");
    }

    @Test
    void missingFile() {
        Path p = tmp.resolve("nope.gz");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("no such file"), e.getMessage());
    }

    /**
     * A few thousand random mutations of a valid file, raw and gzipped — flipped bytes, random
     * header words, truncation, inserted bytes: reading either succeeds with a consistent result
     * or throws an IllegalArgumentException naming the file, never anything else.
     */
    @Test
    void randomMutationsGiveOnlyIllegalArgument() throws IOException {
        byte[] raw = rawBytes(small());
        byte[] gz = gzip(raw);
        Random rnd = new Random(42);
        int failures = 0, successes = 0;
        for (int trial = 0; trial < 4000; trial++) {
            byte[] base = trial % 2 == 0 ? raw : gz;
            byte[] m = mutate(base, rnd);
            String name = "mutant-" + trial;
            try {
                IdxFile f = IdxReader.read(m, name);
                assertEquals((long) f.count() * IdxFile.elementSize(f.type()), f.data().length);
                successes++;
            } catch (IllegalArgumentException e) {
                if (!e.getMessage().startsWith("IdxReader: " + name + ": ")) fail("message does not name the file: " + e.getMessage());
                failures++;
            } catch (Throwable t) {
                fail("mutation " + trial + " (" + (trial % 2 == 0 ? "raw" : "gzip") + ") threw " + t, t);
            }
        }
        assertTrue(failures > 1000 && successes > 50, "failures " + failures + ", successes " + successes);
    }

    private static byte[] mutate(byte[] base, Random rnd) {
        byte[] m = base.clone();
        switch (rnd.nextInt(5)) {
            case 0 -> { // flip a few bytes anywhere
                for (int k = 1 + rnd.nextInt(3); k > 0; k--) m[rnd.nextInt(m.length)] ^= (byte) (1 + rnd.nextInt(255));
            }
            case 1 -> { // a random header byte (magic, type, ndim, dims)
                m[rnd.nextInt(Math.min(m.length, 16))] = (byte) rnd.nextInt(256);
            }
            case 2 -> m = Arrays.copyOf(m, rnd.nextInt(m.length)); // truncate
            case 3 -> { // insert a byte
                int at = rnd.nextInt(m.length + 1);
                byte[] n = new byte[m.length + 1];
                System.arraycopy(m, 0, n, 0, at);
                n[at] = (byte) rnd.nextInt(256);
                System.arraycopy(m, at, n, at + 1, m.length - at);
                m = n;
            }
            default -> { // a random 32-bit dimension word
                int at = 4 + 4 * rnd.nextInt(3);
                int v = rnd.nextBoolean() ? rnd.nextInt() : rnd.nextInt(200);
                if (at + 4 <= m.length) {
                    m[at] = (byte) (v >>> 24);
                    m[at + 1] = (byte) (v >>> 16);
                    m[at + 2] = (byte) (v >>> 8);
                    m[at + 3] = (byte) v;
                }
            }
        }
        return m;
    }

    private static void assertMessage(byte[] bytes, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(bytes, "f"));
        assertTrue(e.getMessage().contains(part), "want '" + part + "' in: " + e.getMessage());
    }
}
