package org.jgluon.gluon.data;

import org.jgluon.engine.Tensor;

/**
 * One (data, label) item of a labelled dataset, Gluon's {@code (image, label)} tuple. Image
 * datasets give the image as an HWC tensor and the class id as a float (the engine is float32
 * only; class ids up to 2^24 are exact).
 */
public record Sample(Tensor data, float label) {

    /** The label as the integer class id it holds. */
    public int labelInt() {
        return (int) label;
    }

    @Override
    public String toString() {
        return "Sample(data " + data.shapeString() + ", label " + (label == (int) label ? String.valueOf((int) label) : String.valueOf(label)) + ")";
    }
}
