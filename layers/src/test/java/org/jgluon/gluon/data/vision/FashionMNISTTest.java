package org.jgluon.gluon.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jgluon.engine.Tensor;
import org.jgluon.gluon.data.Batch;
import org.jgluon.gluon.data.DataLoader;
import org.jgluon.gluon.data.IdxFile;
import org.jgluon.gluon.data.IdxReader;
import org.jgluon.gluon.data.IdxWriter;
import org.jgluon.gluon.data.Sample;
import org.jgluon.gluon.data.vision.transforms.Compose;
import org.jgluon.gluon.data.vision.transforms.Resize;
import org.jgluon.gluon.data.vision.transforms.ToTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMNISTTest {

    @TempDir
    Path tmp;

    /** tests/data/fashion-mnist-sample: the first 3000 training and 1000 test images. */
    static Path sampleDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("tests/data/fashion-mnist-sample");
            if (Files.isDirectory(d)) return d;
        }
        throw new IllegalStateException("tests/data/fashion-mnist-sample not found above " + Path.of("").toAbsolutePath());
    }

    private static DatasetLocator sampleOnly() {
        return DatasetLocator.defaults().withDataDir(sampleDir(), "test").withDownload(false).withApt(false);
    }

    @Test
    void sampleSizesShapesAndKnownLabels() {
        FashionMNIST train = new FashionMNIST(true, sampleOnly());
        FashionMNIST test = new FashionMNIST(false, sampleOnly());
        assertEquals(3000, train.size());
        assertEquals(1000, test.size());
        Sample s = train.get(0);
        assertArrayEquals(new int[] {28, 28, 1}, s.data().shape());
        // Fashion-MNIST's first training image is an ankle boot (9), its first test image too
        assertEquals(9f, s.label());
        assertEquals("ankle boot", FashionMNIST.CLASSES.get(s.labelInt()));
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5},
                java.util.stream.IntStream.range(0, 10).map(train::label).toArray());
        assertArrayEquals(new int[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7},
                java.util.stream.IntStream.range(0, 10).map(test::label).toArray());
        assertEquals(1f, test.get(2).label()); // a trouser
    }

    @Test
    void pixelsAreTheFilesUint8ValuesInHwcOrder() {
        FashionMNIST train = new FashionMNIST(true, sampleOnly());
        IdxFile raw = IdxReader.read(sampleDir().resolve("train-images-idx3-ubyte.gz"));
        int i = 1234;
        float[] px = train.get(i).data().toArray();
        float max = 0;
        for (int k = 0; k < 784; k++) {
            assertEquals(raw.data()[i * 784 + k] & 0xFF, px[k], "pixel " + k);
            max = Math.max(max, px[k]);
        }
        assertTrue(max > 200 && max <= 255, "max " + max);
    }

    @Test
    void rootArgumentConstructorReadsTheSample() {
        assertEquals(1000, new FashionMNIST(sampleDir().toString(), false).size());
    }

    @Test
    void thePipelineOfTheExperiment() {
        var ds = new FashionMNIST(false, sampleOnly()).transformFirst(new Compose(new Resize(32), new ToTensor()));
        DataLoader loader = new DataLoader(ds, 128, false, "keep", 2, 0);
        assertEquals(8, loader.size());
        int seen = 0;
        for (Batch b : loader) {
            assertEquals(1, b.data().dim(1));
            assertEquals(32, b.data().dim(2));
            assertEquals(32, b.data().dim(3));
            seen += b.size();
        }
        assertEquals(1000, seen);
        Batch first = new DataLoader(ds, 4, false, "keep", 0, 0).iterator().next();
        assertArrayEquals(new float[] {9, 2, 1, 1}, first.label().toArray());
        Tensor img = first.data();
        for (int k = 0; k < img.size(); k++) assertTrue(img.get(k) >= 0 && img.get(k) <= 1);
    }

    @Test
    void labelsOutOfRangeOrCountMismatchAreClearErrors() throws IOException {
        Path dir = tmp.resolve("bad");
        IdxWriter.write(dir.resolve("t10k-images-idx3-ubyte.gz"), new IdxFile("i", IdxFile.UBYTE, new int[] {2, 28, 28}, new byte[2 * 784]));
        IdxWriter.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), new IdxFile("l", IdxFile.UBYTE, new int[] {2}, new byte[] {3, 10}));
        DatasetLocator at = DatasetLocator.defaults().withDataDir(dir, "test").withDownload(false).withApt(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FashionMNIST(false, at));
        assertTrue(e.getMessage().contains("label 10 of sample 1"), e.getMessage());
        IdxWriter.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), new IdxFile("l", IdxFile.UBYTE, new int[] {3}, new byte[] {3, 1, 2}));
        e = assertThrows(IllegalArgumentException.class, () -> new FashionMNIST(false, at));
        assertTrue(e.getMessage().contains("has 2 images but") && e.getMessage().contains("has 3 labels"), e.getMessage());
        IdxWriter.write(dir.resolve("t10k-images-idx3-ubyte.gz"), new IdxFile("i", IdxFile.UBYTE, new int[] {3, 784}, new byte[3 * 784]));
        e = assertThrows(IllegalArgumentException.class, () -> new FashionMNIST(false, at));
        assertTrue(e.getMessage().contains("want ubyte images (N, rows, cols)"), e.getMessage());
    }

    @Test
    void mnistReadsTheSameLayout() {
        // the sample has MNIST's layout, so MNIST reads it from an explicit directory
        MNIST m = new MNIST(false, sampleOnly());
        assertEquals(1000, m.size());
        assertEquals(9, m.label(0));
    }
}
