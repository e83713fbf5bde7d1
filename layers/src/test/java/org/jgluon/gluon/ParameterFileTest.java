package org.jgluon.gluon;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;
import org.jgluon.gluon.init.Xavier;
import org.jgluon.gluon.nn.BatchNorm;
import org.jgluon.gluon.nn.Conv2D;
import org.jgluon.gluon.nn.Dense;
import org.jgluon.gluon.nn.MaxPool2D;
import org.jgluon.gluon.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParameterFileTest {

    @TempDir
    Path dir;

    static Sequential net(int convChannels) {
        Sequential net = new Sequential();
        net.add(new Conv2D(convChannels, Kwargs.kw("kernel_size", 3)), new BatchNorm(), new MaxPool2D(), new Dense(5));
        return net;
    }

    static final Tensor X = input();

    static Tensor input() {
        Rng r = new Rng(1);
        Tensor t = Tensor.zeros(2, 1, 8, 8);
        for (int i = 0; i < t.size(); i++) t.set(i, r.nextUniform());
        return t;
    }

    static Sequential trainedNet(int channels) {
        Sequential n = net(channels);
        n.initialize(new Xavier());
        n.forward(X);
        // make the running statistics non-trivial so the round trip checks them too
        for (Parameter p : n.collectParams()) {
            float[] d = p.data().data();
            for (int i = 0; i < d.length; i++) d[i] += 0.001f * i;
        }
        return n;
    }

    static List<float[]> snapshot(Sequential n) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : n.collectParams()) out.add(p.isInitialized() ? p.data().toArray() : null);
        return out;
    }

    static void assertUnchanged(List<float[]> before, Sequential n) {
        List<float[]> after = snapshot(n);
        for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), after.get(i));
    }

    @Test
    void roundTripRestoresEveryParameterAndTheOutput() throws Exception {
        Sequential a = trainedNet(4);
        Path f = dir.resolve("net.params");
        a.saveParameters(f);
        try (var s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList(), "no temporary file may be left behind");
        }
        Sequential b = net(4); // fresh: other name counters, not initialised at all
        b.loadParameters(f);
        List<float[]> pa = snapshot(a), pb = snapshot(b);
        for (int i = 0; i < pa.size(); i++) assertArrayEquals(pa.get(i), pb.get(i));
        assertArrayEquals(a.forward(X).toArray(), b.forward(X).toArray());
        // saving again replaces the file atomically; paths as text (JS) work the same
        a.saveParameters(f.toString());
        b.loadParameters(f.toString(), Kwargs.kw("allow_missing", false, "ignore_extra", true));
    }

    @Test
    void formatIsAsDocumented() throws Exception {
        Dense d = new Dense(2, Kwargs.kw("in_units", 3));
        d.initialize();
        Path f = dir.resolve("d.params");
        d.saveParameters(f);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f));
        byte[] magic = new byte[8];
        b.get(magic);
        assertEquals("JGLNPARM", new String(magic, "US-ASCII"));
        assertEquals(1, b.getInt());
        assertEquals(2, b.getInt());
        assertEquals(6, b.getShort());
        byte[] name = new byte[6];
        b.get(name);
        assertEquals("weight", new String(name, "UTF-8"));
        assertEquals(2, b.get());
        assertEquals(2, b.getInt());
        assertEquals(3, b.getInt());
        assertEquals(d.weight().data().get(0), b.getFloat());
        // 8 + 4 + 4 + (2 + 6 + 1 + 8 + 24) + (2 + 4 + 1 + 4 + 8) + 4
        assertEquals(8 + 4 + 4 + 41 + 19 + 4, b.capacity());
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.capacity() - 4);
        assertEquals((int) crc.getValue(), b.getInt(b.capacity() - 4));
    }

    @Test
    void truncatedCorruptAndWrongMagicFilesAreRefusedAndChangeNothing() throws Exception {
        Path f = dir.resolve("net.params");
        trainedNet(4).saveParameters(f);
        byte[] good = Files.readAllBytes(f);
        Sequential target = trainedNet(4);
        List<float[]> before = snapshot(target);

        Path cut = dir.resolve("cut.params");
        Files.write(cut, Arrays.copyOf(good, good.length - 9));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> target.loadParameters(cut));
        assertTrue(e.getMessage().contains(cut.toString()) && e.getMessage().contains("truncated or corrupt"), e.getMessage());
        assertUnchanged(before, target);

        Files.write(cut, Arrays.copyOf(good, 5));
        e = assertThrows(IllegalArgumentException.class, () -> target.loadParameters(cut));
        assertTrue(e.getMessage().contains("only 5 bytes"), e.getMessage());

        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        Path bad = dir.resolve("flipped.params");
        Files.write(bad, flipped);
        e = assertThrows(IllegalArgumentException.class, () -> target.loadParameters(bad));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertUnchanged(before, target);

        byte[] magic = good.clone();
        magic[0] = 'X';
        Files.write(bad, magic);
        e = assertThrows(IllegalArgumentException.class, () -> target.loadParameters(bad));
        assertTrue(e.getMessage().contains("wrong magic"), e.getMessage());
        assertUnchanged(before, target);

        e = assertThrows(IllegalArgumentException.class, () -> target.loadParameters(dir.resolve("nope.params")));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void aFileOfAnotherNetworkNamesTheParameterAndShapes() throws Exception {
        Path f = dir.resolve("net8.params");
        trainedNet(8).saveParameters(f);
        Sequential target = trainedNet(4);
        List<float[]> before = snapshot(target);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> target.loadParameters(f));
        String m = e.getMessage();
        assertTrue(m.contains(f.toString()), m);
        assertTrue(m.contains("parameter '0.weight' (" + ((Conv2D) target.get(0)).weight().name()
                + ") has shape (8, 1, 3, 3) in the file but (4, 1, 3, 3) in the network"), m);
        assertTrue(m.contains("nothing was loaded"), m);
        assertUnchanged(before, target);

        // missing and extra parameters
        Sequential small = new Sequential();
        small.add(new Conv2D(4, Kwargs.kw("kernel_size", 3)));
        small.initialize();
        small.forward(X);
        Path g = dir.resolve("small.params");
        small.saveParameters(g);
        e = assertThrows(IllegalArgumentException.class, () -> target.loadParameters(g));
        assertTrue(e.getMessage().contains("parameter '1.gamma'") && e.getMessage().contains("missing from the file"), e.getMessage());
        assertUnchanged(before, target);
        target.loadParameters(g, true, false);
        assertArrayEquals(((Conv2D) small.get(0)).weight().data().toArray(), ((Conv2D) target.get(0)).weight().data().toArray());
        e = assertThrows(IllegalArgumentException.class, () -> small.loadParameters(f));
        assertTrue(e.getMessage().contains("the file has parameter '1.gamma' (shape (8,))"), e.getMessage());
    }

    /** Thousands of random mutations of a valid file: every failure is an IllegalArgumentException. */
    @Test
    void randomMutationsOnlyEverGiveIllegalArgument() throws Exception {
        Path f = dir.resolve("net.params");
        trainedNet(2).saveParameters(f);
        byte[] good = Files.readAllBytes(f);
        Sequential target = net(2);
        target.loadParameters(f);
        List<float[]> before = snapshot(target);
        Rng r = new Rng(2024);
        Path m = dir.resolve("m.params");
        int refused = 0, loaded = 0;
        for (int iter = 0; iter < 3000; iter++) {
            byte[] b = mutate(good, r);
            // half of them get a correct checksum, so the structural checks must catch them
            if (iter % 2 == 1 && b.length >= 4) fixCrc(b);
            try {
                // every 16th through a real file, the rest straight from the bytes (same code after reading)
                if (iter % 16 == 0) {
                    Files.write(m, b);
                    target.loadParameters(m);
                } else {
                    ParameterFile.load(b, "mutation " + iter, target.structuralParams(), false, false);
                }
                loaded++;
                // a mutation that still makes a valid file (e.g. a changed float) may load; put the values back
                target.loadParameters(f);
            } catch (IllegalArgumentException expected) {
                refused++;
                assertUnchanged(before, target);
            }
        }
        assertTrue(refused > 2500, "refused " + refused + ", loaded " + loaded);
    }

    private static byte[] mutate(byte[] good, Rng r) {
        byte[] b = good.clone();
        switch (r.nextInt(5)) {
            case 0 -> { // flip a few bits anywhere
                for (int k = 1 + r.nextInt(3); k > 0; k--) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            }
            case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length)); // truncate
            case 2 -> { // overwrite a header-ish int (count, name length, ndim, extents) with something wild
                int pos = r.nextInt(Math.min(b.length - 4, 120));
                int v = switch (r.nextInt(4)) {
                    case 0 -> Integer.MAX_VALUE;
                    case 1 -> -1 - r.nextInt(1000);
                    case 2 -> r.nextInt(1 << 20);
                    default -> 0;
                };
                ByteBuffer.wrap(b).putInt(pos, v);
            }
            case 3 -> { // append garbage
                byte[] c = Arrays.copyOf(b, b.length + 1 + r.nextInt(64));
                for (int i = b.length; i < c.length; i++) c[i] = (byte) r.nextInt(256);
                b = c;
            }
            default -> { // random bytes of random length
                b = new byte[r.nextInt(200)];
                for (int i = 0; i < b.length; i++) b[i] = (byte) r.nextInt(256);
                if (b.length >= 8 && r.nextInt(2) == 0) System.arraycopy(good, 0, b, 0, 8);
            }
        }
        return b;
    }

    private static void fixCrc(byte[] b) {
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
    }

    @Test
    void parseBoundsLengthsByTheFileSize() {
        // a count of 2^31-1 entries in a 24-byte file must be refused without allocating
        ByteBuffer b = ByteBuffer.allocate(24);
        b.put("JGLNPARM".getBytes()).putInt(1).putInt(Integer.MAX_VALUE).putInt(0);
        byte[] bytes = b.array();
        fixCrc(bytes);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TensorFile.parse(bytes, "x.params", "JGLNPARM", "jgluon parameter"));
        assertTrue(e.getMessage().contains("entry count"), e.getMessage());
        Map<String, TensorFile.Entry> empty = TensorFile.parse(fixed(ByteBuffer.allocate(20).put("JGLNPARM".getBytes()).putInt(1).putInt(0).array()),
                "e", "JGLNPARM", "p");
        assertTrue(empty.isEmpty());
    }

    private static byte[] fixed(byte[] b) {
        fixCrc(b);
        return b;
    }
}
