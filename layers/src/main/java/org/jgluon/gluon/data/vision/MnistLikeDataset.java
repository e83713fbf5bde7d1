package org.jgluon.gluon.data.vision;

import java.nio.file.Path;

import org.jgluon.engine.Tensor;
import org.jgluon.gluon.data.Dataset;
import org.jgluon.gluon.data.IdxFile;
import org.jgluon.gluon.data.IdxReader;
import org.jgluon.gluon.data.Sample;

/**
 * A dataset in the MNIST file layout: a ubyte IDX file of N images (N, rows, cols) and a ubyte
 * IDX file of N labels. The raw bytes stay in memory (47 MB for 60 000 images); each
 * {@link #get(int)} converts one image to a fresh {@code (rows, cols, 1)} HWC tensor whose floats
 * hold the uint8 values 0..255 — Gluon's uint8 image, in the float32-only engine — with the
 * class id as the label.
 */
public abstract class MnistLikeDataset implements Dataset<Sample> {

    private final DatasetSpec spec;
    private final boolean train;
    private final Path imagesFile;
    private final byte[] images;
    private final byte[] labels;
    private final int count;
    private final int rows;
    private final int cols;

    protected MnistLikeDataset(DatasetSpec spec, boolean train, DatasetLocator locator, int classes) {
        this.spec = spec;
        this.train = train;
        DatasetLocator.SplitFiles files = locator.locate(spec, train);
        this.imagesFile = files.images();
        IdxFile img = IdxReader.read(files.images());
        IdxFile lab = IdxReader.read(files.labels());
        String owner = spec.displayName();
        if (img.type() != IdxFile.UBYTE || img.ndim() != 3 || img.dim(1) < 1 || img.dim(2) < 1) {
            throw new IllegalArgumentException(owner + ": " + files.images() + " holds " + img
                    + ", want ubyte images (N, rows, cols)");
        }
        if (lab.type() != IdxFile.UBYTE || lab.ndim() != 1) {
            throw new IllegalArgumentException(owner + ": " + files.labels() + " holds " + lab + ", want ubyte labels (N,)");
        }
        if (lab.dim(0) != img.dim(0)) {
            throw new IllegalArgumentException(owner + ": " + files.images() + " has " + img.dim(0) + " images but "
                    + files.labels() + " has " + lab.dim(0) + " labels");
        }
        byte[] l = lab.data();
        for (int i = 0; i < l.length; i++) {
            if ((l[i] & 0xFF) >= classes) {
                throw new IllegalArgumentException(owner + ": " + files.labels() + ": label " + (l[i] & 0xFF)
                        + " of sample " + i + " is not a class id 0.." + (classes - 1));
            }
        }
        this.images = img.data();
        this.labels = l;
        this.count = img.dim(0);
        this.rows = img.dim(1);
        this.cols = img.dim(2);
    }

    @Override
    public int size() {
        return count;
    }

    /** Image {@code i} as an HWC {@code (rows, cols, 1)} tensor of values 0..255, and its class id. */
    @Override
    public Sample get(int i) {
        Dataset.checkIndex(spec.displayName(), i, count);
        int n = rows * cols;
        float[] px = new float[n];
        int base = i * n;
        for (int k = 0; k < n; k++) px[k] = images[base + k] & 0xFF;
        return new Sample(Tensor.wrap(px, rows, cols, 1), labels[i] & 0xFF);
    }

    /** The class id of sample {@code i}, without converting its image. */
    public int label(int i) {
        Dataset.checkIndex(spec.displayName(), i, count);
        return labels[i] & 0xFF;
    }

    /** The (H, W, C) shape of every image. */
    public int[] imageShape() {
        return new int[] {rows, cols, 1};
    }

    public boolean isTrain() {
        return train;
    }

    /** The images file the data came from. */
    public Path source() {
        return imagesFile;
    }

    @Override
    public String toString() {
        return spec.displayName() + "(" + (train ? "train" : "test") + ", " + count + " images " + rows + "x" + cols
                + ", from " + imagesFile.getParent() + ")";
    }
}
